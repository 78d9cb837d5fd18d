from tests.support.moto_server import moto_endpoint, moto_env

__all__ = ["moto_endpoint", "moto_env"]
