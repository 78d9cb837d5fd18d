"""AWS Lambda entry points and what they share.

The entry points are the modules the SAM template (infra/template.yaml) names as handlers:
`extract_handler.handler` (the schedule and shard messages), `transform_handler.handler` (S3
ObjectCreated) and `report_handler.handler` (the optional daily report); `package` builds
the deployment folder (`make lambda-package`). Nothing is imported here, so a cold start
loads only its own handler's modules.
"""

__all__ = ["extract_handler", "package", "report_handler", "transform_handler"]
