-- What the report's charts ask (spotify_etl.report), as named queries like analytics.sql, so
-- `spotify-etl query NAME` shows the table behind any chart. Windows count back from the
-- newest snapshot in the warehouse, not from today, so a report is reproducible.

-- name: playlist_days
-- description: Per snapshot day over the last :days days, across all tracked playlists: items, songs, entries, exits, churn (percent of the previous snapshots' songs that left) and explicit share (percent of songs with known explicitness), from V_PLAYLIST_DAY
-- params: days=30
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM)
SELECT v.snapshot_date,
       COUNT(*) AS playlists,
       SUM(v.items) AS items,
       SUM(v.songs) AS songs,
       SUM(v.entries) AS entries,
       SUM(v.exits) AS exits,
       ROUND(100.0 * SUM(v.exits) / NULLIF(SUM(CASE WHEN v.previous_snapshot IS NOT NULL
                                                   THEN v.previous_songs END), 0), 1) AS churn_pct,
       ROUND(100.0 * SUM(v.explicit_songs) / NULLIF(SUM(v.songs_explicit_known), 0), 1)
           AS explicit_pct
FROM V_PLAYLIST_DAY AS v
CROSS JOIN last
WHERE DATE_DIFF('day', v.snapshot_date, last.d) < :days
GROUP BY v.snapshot_date
ORDER BY v.snapshot_date;

-- name: track_age_at_add
-- description: Per snapshot day over the last :days days, the median and quartiles of how old the songs on tracked playlists were when they were added (days from release, day-precision releases only)
-- params: days=30
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM)
SELECT pi.snapshot_date,
       COUNT(pi.days_since_release) AS songs_with_age,
       QUANTILE_CONT(pi.days_since_release, 0.25) AS p25_days,
       MEDIAN(pi.days_since_release) AS median_days,
       QUANTILE_CONT(pi.days_since_release, 0.75) AS p75_days
FROM PLAYLIST_ITEM AS pi
CROSS JOIN last
WHERE pi.item_type = 'track' AND pi.song_id IS NOT NULL
  AND DATE_DIFF('day', pi.snapshot_date, last.d) < :days
GROUP BY pi.snapshot_date
ORDER BY pi.snapshot_date;

-- name: playlist_summary
-- description: Per tracked playlist over the last :days days: snapshot days, songs on its latest snapshot, songs that entered and left, average churn percent per day
-- params: days=30
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM)
SELECT v.playlist_id,
       MAX(v.playlist_name) AS playlist_name,
       COUNT(*) AS snapshot_days,
       ARG_MAX(v.songs, v.snapshot_date) AS songs_now,
       COALESCE(SUM(v.entries), 0) AS entries,
       COALESCE(SUM(v.exits), 0) AS exits,
       COALESCE(SUM(v.entries), 0) + COALESCE(SUM(v.exits), 0) AS changes,
       ROUND(AVG(v.churn_pct), 1) AS avg_churn_pct
FROM V_PLAYLIST_DAY AS v
CROSS JOIN last
WHERE DATE_DIFF('day', v.snapshot_date, last.d) < :days
GROUP BY v.playlist_id
ORDER BY changes DESC, songs_now DESC, v.playlist_id
LIMIT 25;

-- name: load_activity
-- description: Files and rows the loader recorded per day (LOAD_HISTORY; Snowpipe's own loads are in COPY_HISTORY instead)
SELECT CAST(loaded_at AS DATE) AS load_day,
       COUNT(CASE WHEN status = 'loaded' THEN 1 END) AS files_loaded,
       COUNT(CASE WHEN status <> 'loaded' THEN 1 END) AS files_failed,
       SUM(CASE WHEN status = 'loaded' THEN rows_loaded ELSE 0 END) AS rows_loaded,
       MAX(loaded_at) AS last_load_at
FROM LOAD_HISTORY
GROUP BY CAST(loaded_at AS DATE)
ORDER BY load_day;

-- name: snapshot_coverage
-- description: The snapshot days in the warehouse: first, last, how many, and how many playlists the newest one covers
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM)
SELECT MIN(pi.snapshot_date) AS first_day,
       MAX(pi.snapshot_date) AS last_day,
       COUNT(DISTINCT pi.snapshot_date) AS snapshot_days,
       COUNT(DISTINCT CASE WHEN pi.snapshot_date = last.d THEN pi.playlist_id END)
           AS playlists_on_last_day
FROM PLAYLIST_ITEM AS pi
CROSS JOIN last;
