-- The analytics queries: one source for DuckDB and Snowflake.
-- Written in portable SQL (DuckDB dialect); spotify_etl.warehouse.analytics transpiles each to
-- Snowflake with sqlglot. Each block: `-- name:`, `-- description:`, optional `-- params:`
-- (name=default; used as :name), then one SELECT. Columns the development profile lacks
-- (popularity, followers, genres, label) are nullable: every query is NULL-safe.

-- name: top_artists_by_songs
-- description: Artists credited on the most songs (any position), and how many as primary artist
-- params: limit=20
SELECT sa.artist_id,
       a.artist_name,
       COUNT(DISTINCT sa.song_id) AS songs,
       COUNT(DISTINCT CASE WHEN sa.artist_position = 0 THEN sa.song_id END) AS songs_as_primary
FROM SONG_ARTIST AS sa
LEFT JOIN ARTIST AS a ON a.artist_id = sa.artist_id
GROUP BY sa.artist_id, a.artist_name
ORDER BY songs DESC, songs_as_primary DESC, a.artist_name, sa.artist_id
LIMIT :limit;

-- name: top_artists_by_playlist_days
-- description: Artists by distinct days any of their songs sat on a tracked playlist
-- params: limit=20
SELECT sa.artist_id,
       a.artist_name,
       COUNT(DISTINCT pi.snapshot_date) AS days_on_playlists,
       COUNT(*) AS playlist_entries
FROM PLAYLIST_ITEM AS pi
JOIN SONG_ARTIST AS sa ON sa.song_id = pi.song_id
LEFT JOIN ARTIST AS a ON a.artist_id = sa.artist_id
GROUP BY sa.artist_id, a.artist_name
ORDER BY days_on_playlists DESC, playlist_entries DESC, a.artist_name, sa.artist_id
LIMIT :limit;

-- name: playlist_entries_exits
-- description: Songs entering and leaving each playlist per snapshot day, against that playlist's previous snapshot (NULL on its first)
WITH days AS (
    SELECT DISTINCT playlist_id, snapshot_date FROM PLAYLIST_ITEM
), ordered AS (
    SELECT playlist_id, snapshot_date,
           LAG(snapshot_date) OVER (PARTITION BY playlist_id ORDER BY snapshot_date) AS prev_date
    FROM days
), songs AS (
    SELECT DISTINCT playlist_id, snapshot_date, song_id
    FROM PLAYLIST_ITEM
    WHERE song_id IS NOT NULL
), cur AS (
    SELECT o.playlist_id, o.snapshot_date, s.song_id
    FROM ordered AS o
    JOIN songs AS s ON s.playlist_id = o.playlist_id AND s.snapshot_date = o.snapshot_date
    WHERE o.prev_date IS NOT NULL
), prev AS (
    SELECT o.playlist_id, o.snapshot_date, s.song_id
    FROM ordered AS o
    JOIN songs AS s ON s.playlist_id = o.playlist_id AND s.snapshot_date = o.prev_date
), entries AS (
    SELECT c.playlist_id, c.snapshot_date, COUNT(*) AS n
    FROM cur AS c
    LEFT JOIN prev AS p
      ON p.playlist_id = c.playlist_id AND p.snapshot_date = c.snapshot_date AND p.song_id = c.song_id
    WHERE p.song_id IS NULL
    GROUP BY c.playlist_id, c.snapshot_date
), exits AS (
    SELECT p.playlist_id, p.snapshot_date, COUNT(*) AS n
    FROM prev AS p
    LEFT JOIN cur AS c
      ON c.playlist_id = p.playlist_id AND c.snapshot_date = p.snapshot_date AND c.song_id = p.song_id
    WHERE c.song_id IS NULL
    GROUP BY p.playlist_id, p.snapshot_date
)
SELECT o.playlist_id,
       pl.playlist_name,
       o.snapshot_date,
       o.prev_date AS previous_snapshot,
       CASE WHEN o.prev_date IS NULL THEN NULL ELSE COALESCE(e.n, 0) END AS entries,
       CASE WHEN o.prev_date IS NULL THEN NULL ELSE COALESCE(x.n, 0) END AS exits
FROM ordered AS o
LEFT JOIN entries AS e ON e.playlist_id = o.playlist_id AND e.snapshot_date = o.snapshot_date
LEFT JOIN exits AS x ON x.playlist_id = o.playlist_id AND x.snapshot_date = o.snapshot_date
LEFT JOIN PLAYLIST AS pl ON pl.playlist_id = o.playlist_id
ORDER BY o.playlist_id, o.snapshot_date;

-- name: longest_running_songs
-- description: Songs on tracked playlists on the most distinct days, with first and last day seen
-- params: limit=20
SELECT s.song_id,
       s.song_name,
       a.artist_name AS primary_artist,
       COUNT(DISTINCT pi.snapshot_date) AS days_on_playlists,
       COUNT(DISTINCT pi.playlist_id) AS playlists,
       MIN(pi.snapshot_date) AS first_day,
       MAX(pi.snapshot_date) AS last_day
FROM PLAYLIST_ITEM AS pi
JOIN SONGS AS s ON s.song_id = pi.song_id
LEFT JOIN ARTIST AS a ON a.artist_id = s.primary_artist_id
GROUP BY s.song_id, s.song_name, a.artist_name
ORDER BY days_on_playlists DESC, playlists DESC, s.song_name, s.song_id
LIMIT :limit;

-- name: release_year_distribution
-- description: Albums and songs per release year (albums without a known year left out)
SELECT al.release_year,
       COUNT(DISTINCT al.album_id) AS albums,
       COUNT(s.song_id) AS songs
FROM ALBUM AS al
LEFT JOIN SONGS AS s ON s.album_id = al.album_id
WHERE al.release_year IS NOT NULL
GROUP BY al.release_year
ORDER BY al.release_year;

-- name: release_decade_distribution
-- description: Albums and songs per release decade, with the decade's share of songs in percent
SELECT al.release_year - MOD(al.release_year, 10) AS decade,
       COUNT(DISTINCT al.album_id) AS albums,
       COUNT(s.song_id) AS songs,
       ROUND(100.0 * COUNT(s.song_id) / NULLIF(SUM(COUNT(s.song_id)) OVER (), 0), 1) AS pct_of_songs
FROM ALBUM AS al
LEFT JOIN SONGS AS s ON s.album_id = al.album_id
WHERE al.release_year IS NOT NULL
GROUP BY al.release_year - MOD(al.release_year, 10)
ORDER BY decade;

-- name: album_type_mix
-- description: Albums by type (album, single, compilation) with their share in percent
SELECT COALESCE(album_type, 'unknown') AS album_type,
       COUNT(*) AS albums,
       ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 1) AS pct
FROM ALBUM
GROUP BY COALESCE(album_type, 'unknown')
ORDER BY albums DESC, album_type;

-- name: explicit_share_per_playlist
-- description: Share of explicit tracks on each playlist's latest snapshot (tracks with unknown explicitness not counted)
WITH latest AS (
    SELECT playlist_id, MAX(snapshot_date) AS snapshot_date
    FROM PLAYLIST_ITEM
    GROUP BY playlist_id
)
SELECT l.playlist_id,
       pl.playlist_name,
       l.snapshot_date,
       COUNT(pi.song_id) AS tracks,
       SUM(CASE WHEN s.explicit THEN 1 ELSE 0 END) AS explicit_tracks,
       ROUND(100.0 * SUM(CASE WHEN s.explicit THEN 1 ELSE 0 END) / NULLIF(COUNT(s.explicit), 0), 1)
           AS explicit_pct
FROM latest AS l
JOIN PLAYLIST_ITEM AS pi ON pi.playlist_id = l.playlist_id AND pi.snapshot_date = l.snapshot_date
LEFT JOIN SONGS AS s ON s.song_id = pi.song_id
LEFT JOIN PLAYLIST AS pl ON pl.playlist_id = l.playlist_id
GROUP BY l.playlist_id, pl.playlist_name, l.snapshot_date
ORDER BY explicit_pct DESC NULLS LAST, l.playlist_id;

-- name: duration_trend
-- description: Average and longest song length by release year, in minutes
SELECT al.release_year,
       COUNT(*) AS songs,
       ROUND(AVG(s.duration_ms) / 60000.0, 2) AS avg_minutes,
       ROUND(MAX(s.duration_ms) / 60000.0, 2) AS max_minutes
FROM SONGS AS s
JOIN ALBUM AS al ON al.album_id = s.album_id
WHERE al.release_year IS NOT NULL AND s.duration_ms IS NOT NULL
GROUP BY al.release_year
ORDER BY al.release_year;

-- name: artists_on_most_playlists
-- description: Artists whose songs appear on the most distinct tracked playlists
-- params: limit=20
SELECT sa.artist_id,
       a.artist_name,
       COUNT(DISTINCT pi.playlist_id) AS playlists,
       COUNT(DISTINCT pi.song_id) AS songs
FROM PLAYLIST_ITEM AS pi
JOIN SONG_ARTIST AS sa ON sa.song_id = pi.song_id
LEFT JOIN ARTIST AS a ON a.artist_id = sa.artist_id
GROUP BY sa.artist_id, a.artist_name
ORDER BY playlists DESC, songs DESC, a.artist_name, sa.artist_id
LIMIT :limit;

-- name: popularity_trend
-- description: Per snapshot day, the average (latest known) popularity of the songs on tracked playlists; NULL when the profile has no popularity
SELECT pi.snapshot_date,
       COUNT(pi.song_id) AS tracks,
       COUNT(s.popularity) AS tracks_with_popularity,
       ROUND(AVG(s.popularity), 1) AS avg_popularity
FROM PLAYLIST_ITEM AS pi
LEFT JOIN SONGS AS s ON s.song_id = pi.song_id
GROUP BY pi.snapshot_date
ORDER BY pi.snapshot_date;

-- name: genre_mix
-- description: Genres by the artists and songs behind them; empty when the profile has no genres
-- params: limit=20
SELECT ag.genre,
       COUNT(DISTINCT ag.artist_id) AS artists,
       COUNT(DISTINCT sa.song_id) AS songs
FROM ARTIST_GENRE AS ag
LEFT JOIN SONG_ARTIST AS sa ON sa.artist_id = ag.artist_id
GROUP BY ag.genre
ORDER BY songs DESC, artists DESC, ag.genre
LIMIT :limit;

-- name: songs_per_label
-- description: Albums and songs per record label ('(unknown)' where the profile has no label)
-- params: limit=20
SELECT COALESCE(al.label, '(unknown)') AS label,
       COUNT(DISTINCT al.album_id) AS albums,
       COUNT(s.song_id) AS songs
FROM ALBUM AS al
LEFT JOIN SONGS AS s ON s.album_id = al.album_id
GROUP BY COALESCE(al.label, '(unknown)')
ORDER BY songs DESC, albums DESC, label
LIMIT :limit;

-- name: profile_coverage
-- description: How many rows carry the fields the development profile omits (popularity, followers, genres, label)
SELECT 'ALBUM.label' AS field, COUNT(*) AS total_rows, COUNT(label) AS rows_with_value FROM ALBUM
UNION ALL
SELECT 'ALBUM.popularity', COUNT(*), COUNT(popularity) FROM ALBUM
UNION ALL
SELECT 'ARTIST.followers', COUNT(*), COUNT(followers) FROM ARTIST
UNION ALL
SELECT 'ARTIST.genres', COUNT(*), COUNT(genres) FROM ARTIST
UNION ALL
SELECT 'ARTIST.popularity', COUNT(*), COUNT(popularity) FROM ARTIST
UNION ALL
SELECT 'SONGS.popularity', COUNT(*), COUNT(popularity) FROM SONGS
ORDER BY field;

-- name: playlist_items_accounted
-- description: Each playlist's latest snapshot, every item accounted for: listed = tracks + local files + episodes + without a row (null or unavailable items)
WITH latest AS (
    SELECT playlist_id, MAX(snapshot_date) AS snapshot_date
    FROM PLAYLIST_ITEM
    GROUP BY playlist_id
), items AS (
    SELECT pi.playlist_id,
           pi.snapshot_date,
           COUNT(*) AS with_row,
           COUNT(CASE WHEN pi.item_type = 'track' THEN 1 END) AS tracks,
           COUNT(CASE WHEN pi.item_type = 'local' THEN 1 END) AS local_files,
           COUNT(CASE WHEN pi.item_type = 'episode' THEN 1 END) AS episodes
    FROM PLAYLIST_ITEM AS pi
    JOIN latest AS l ON l.playlist_id = pi.playlist_id AND l.snapshot_date = pi.snapshot_date
    GROUP BY pi.playlist_id, pi.snapshot_date
)
SELECT i.playlist_id,
       p.playlist_name,
       i.snapshot_date,
       p.total_items AS listed,
       i.tracks,
       i.local_files,
       i.episodes,
       p.total_items - i.with_row AS without_row
FROM items AS i
LEFT JOIN PLAYLIST AS p ON p.playlist_id = i.playlist_id
ORDER BY i.playlist_id;
