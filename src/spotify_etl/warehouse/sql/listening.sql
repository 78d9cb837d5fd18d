-- The listening-history queries over PLAY (listen, import history): one source for DuckDB and
-- Snowflake, in the same form as analytics.sql. Time listened is the export's ms_played; a
-- play only the API saw has none, so it counts its song's duration (a full play), and a play
-- of a song not yet fetched counts 0. Times are UTC.

-- name: listening_heatmap
-- description: Plays and minutes listened per weekday (1 = Monday) and hour of day, UTC
SELECT ISODOW(p.played_at) AS weekday,
       HOUR(p.played_at) AS hour,
       COUNT(*) AS plays,
       ROUND(SUM(COALESCE(p.ms_played, s.duration_ms, 0)) / 60000.0, 1) AS minutes
FROM PLAY AS p
LEFT JOIN SONGS AS s ON s.song_id = p.song_id
GROUP BY ISODOW(p.played_at), HOUR(p.played_at)
ORDER BY weekday, hour;

-- name: listening_per_day
-- description: Plays and minutes listened per day, the latest first
-- params: limit=60
SELECT CAST(p.played_at AS DATE) AS day,
       COUNT(*) AS plays,
       ROUND(SUM(COALESCE(p.ms_played, s.duration_ms, 0)) / 60000.0, 1) AS minutes
FROM PLAY AS p
LEFT JOIN SONGS AS s ON s.song_id = p.song_id
GROUP BY CAST(p.played_at AS DATE)
ORDER BY day DESC
LIMIT :limit;

-- name: top_artists_by_time
-- description: Artists by minutes listened (the song's primary artist, else the name the play carried)
-- params: limit=20
SELECT COALESCE(s.primary_artist_id, '') AS artist_id,
       COALESCE(MAX(a.artist_name), MAX(p.artist_name)) AS artist_name,
       COUNT(*) AS plays,
       ROUND(SUM(COALESCE(p.ms_played, s.duration_ms, 0)) / 60000.0, 1) AS minutes
FROM PLAY AS p
LEFT JOIN SONGS AS s ON s.song_id = p.song_id
LEFT JOIN ARTIST AS a ON a.artist_id = s.primary_artist_id
GROUP BY COALESCE(s.primary_artist_id, ''), CASE WHEN s.primary_artist_id IS NULL THEN p.artist_name END
ORDER BY minutes DESC, plays DESC, artist_name, artist_id
LIMIT :limit;

-- name: top_songs_by_time
-- description: Songs by minutes listened, with plays and how many were skipped
-- params: limit=20
SELECT p.song_id,
       COALESCE(MAX(s.song_name), MAX(p.track_name)) AS song_name,
       COUNT(*) AS plays,
       COUNT(CASE WHEN p.skipped THEN 1 END) AS skipped,
       ROUND(SUM(COALESCE(p.ms_played, s.duration_ms, 0)) / 60000.0, 1) AS minutes
FROM PLAY AS p
LEFT JOIN SONGS AS s ON s.song_id = p.song_id
GROUP BY p.song_id
ORDER BY minutes DESC, plays DESC, p.song_id
LIMIT :limit;

-- name: skip_rate
-- description: Share of plays skipped per month, among plays whose skip is known (the export's; the API does not say)
SELECT SUBSTR(CAST(p.played_at AS VARCHAR), 1, 7) AS month,
       COUNT(p.skipped) AS plays_known,
       COUNT(CASE WHEN p.skipped THEN 1 END) AS skipped,
       ROUND(COUNT(CASE WHEN p.skipped THEN 1 END) * 1.0 / NULLIF(COUNT(p.skipped), 0), 3) AS skip_rate
FROM PLAY AS p
GROUP BY SUBSTR(CAST(p.played_at AS VARCHAR), 1, 7)
ORDER BY month;

-- name: listening_streaks
-- description: Longest runs of consecutive days with at least one play
-- params: limit=10
WITH days AS (
    SELECT DISTINCT CAST(played_at AS DATE) AS day FROM PLAY
), runs AS (
    SELECT day,
           DATE_DIFF('day', DATE '1970-01-01', day) - ROW_NUMBER() OVER (ORDER BY day) AS run
    FROM days
)
SELECT MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS days
FROM runs
GROUP BY run
ORDER BY days DESC, first_day DESC
LIMIT :limit;

-- name: followed_playlist_share
-- description: Plays started from a playlist, from a tracked (followed or own) playlist, and their share of the plays whose context is known
SELECT COUNT(*) AS plays,
       COUNT(p.context_type) AS plays_with_context,
       COUNT(CASE WHEN p.context_type = 'playlist' THEN 1 END) AS from_playlists,
       COUNT(pl.playlist_id) AS from_followed_playlists,
       ROUND(COUNT(pl.playlist_id) * 1.0 / NULLIF(COUNT(p.context_type), 0), 3) AS followed_share
FROM PLAY AS p
LEFT JOIN PLAYLIST AS pl
  ON p.context_type = 'playlist' AND p.context_uri = 'spotify:playlist:' || pl.playlist_id;
