-- Views for BI tools (Power BI, Tableau, Superset, Metabase) and for the report's queries.
-- Written in portable SQL (DuckDB dialect) like analytics.sql; spotify_etl.warehouse.views
-- creates them on DuckDB at every migration and renders them for the Snowflake deployment SQL
-- (infra/snowflake/09_views.sql). Each block: `-- view:`, `-- grain:`, `-- description:`, one
-- SELECT. Only `track` items with a song id count as songs: episodes and local files are
-- counted apart and never as songs. A view may read the views above it.

-- view: V_PLAYLIST_DAY
-- grain: one row per playlist and snapshot day
-- description: Items, songs, episodes and local files on the day; songs entering and leaving against the playlist's previous snapshot (NULL on its first); churn (share of the previous snapshot's songs that left); explicit share of the songs whose explicitness is known; median track age at add time (added_at - release date, day-precision releases only)
WITH presence AS (
    -- each song once per playlist and day, with its previous and next day on the playlist:
    -- a song enters when it was not on the playlist's previous snapshot and leaves when it is
    -- not on the next one (one window pass instead of joining each snapshot to the last)
    SELECT playlist_id, snapshot_date, song_id,
           LAG(snapshot_date) OVER (PARTITION BY playlist_id, song_id ORDER BY snapshot_date)
               AS song_previous,
           LEAD(snapshot_date) OVER (PARTITION BY playlist_id, song_id ORDER BY snapshot_date)
               AS song_next
    FROM (
        SELECT DISTINCT playlist_id, snapshot_date, song_id
        FROM PLAYLIST_ITEM
        WHERE item_type = 'track' AND song_id IS NOT NULL
    ) AS s
), song_days AS (
    SELECT p.playlist_id, p.snapshot_date,
           COUNT(*) AS songs,
           COUNT(CASE WHEN s.explicit THEN 1 END) AS explicit_songs,
           COUNT(s.explicit) AS songs_explicit_known
    FROM presence AS p
    LEFT JOIN SONGS AS s ON s.song_id = p.song_id
    GROUP BY p.playlist_id, p.snapshot_date
), item_days AS (
    SELECT playlist_id, snapshot_date,
           COUNT(*) AS items,
           COUNT(CASE WHEN item_type = 'episode' THEN 1 END) AS episodes,
           COUNT(CASE WHEN item_type = 'local' THEN 1 END) AS local_files,
           MEDIAN(CASE WHEN item_type = 'track' AND song_id IS NOT NULL
                       THEN days_since_release END) AS median_days_since_release
    FROM PLAYLIST_ITEM
    GROUP BY playlist_id, snapshot_date
), ordered AS (
    SELECT i.playlist_id, i.snapshot_date, i.items, i.episodes, i.local_files,
           i.median_days_since_release,
           COALESCE(sd.songs, 0) AS songs,
           COALESCE(sd.explicit_songs, 0) AS explicit_songs,
           COALESCE(sd.songs_explicit_known, 0) AS songs_explicit_known,
           LAG(i.snapshot_date) OVER (PARTITION BY i.playlist_id ORDER BY i.snapshot_date)
               AS previous_snapshot,
           LEAD(i.snapshot_date) OVER (PARTITION BY i.playlist_id ORDER BY i.snapshot_date)
               AS next_snapshot,
           LAG(COALESCE(sd.songs, 0)) OVER (PARTITION BY i.playlist_id ORDER BY i.snapshot_date)
               AS previous_songs
    FROM item_days AS i
    LEFT JOIN song_days AS sd
      ON sd.playlist_id = i.playlist_id AND sd.snapshot_date = i.snapshot_date
), entries AS (
    SELECT p.playlist_id, p.snapshot_date, COUNT(*) AS n
    FROM presence AS p
    JOIN ordered AS o ON o.playlist_id = p.playlist_id AND o.snapshot_date = p.snapshot_date
    WHERE o.previous_snapshot IS NOT NULL
      AND (p.song_previous IS NULL OR p.song_previous <> o.previous_snapshot)
    GROUP BY p.playlist_id, p.snapshot_date
), exits AS (
    SELECT o.playlist_id, o.next_snapshot AS snapshot_date, COUNT(*) AS n
    FROM presence AS p
    JOIN ordered AS o ON o.playlist_id = p.playlist_id AND o.snapshot_date = p.snapshot_date
    WHERE o.next_snapshot IS NOT NULL
      AND (p.song_next IS NULL OR p.song_next <> o.next_snapshot)
    GROUP BY o.playlist_id, o.next_snapshot
)
SELECT o.playlist_id,
       pl.playlist_name,
       o.snapshot_date,
       o.previous_snapshot,
       o.items,
       o.songs,
       o.episodes,
       o.local_files,
       CASE WHEN o.previous_snapshot IS NULL THEN NULL ELSE COALESCE(e.n, 0) END AS entries,
       CASE WHEN o.previous_snapshot IS NULL THEN NULL ELSE COALESCE(x.n, 0) END AS exits,
       o.previous_songs,
       ROUND(100.0 * COALESCE(x.n, 0) / NULLIF(o.previous_songs, 0), 1) AS churn_pct,
       o.explicit_songs,
       o.songs_explicit_known,
       ROUND(100.0 * o.explicit_songs / NULLIF(o.songs_explicit_known, 0), 1) AS explicit_pct,
       o.median_days_since_release
FROM ordered AS o
LEFT JOIN entries AS e ON e.playlist_id = o.playlist_id AND e.snapshot_date = o.snapshot_date
LEFT JOIN exits AS x ON x.playlist_id = o.playlist_id AND x.snapshot_date = o.snapshot_date
LEFT JOIN PLAYLIST AS pl ON pl.playlist_id = o.playlist_id;

-- view: V_PLAYLIST_SONG
-- grain: one row per song on a playlist (any day)
-- description: When a song was first and last on a playlist, on how many snapshot days, its best position (1-based), when it was added and how old it was then, and whether it is on the playlist's latest snapshot; with the song's name, primary artist, album and release
WITH latest AS (
    SELECT playlist_id, MAX(snapshot_date) AS snapshot_date FROM PLAYLIST_ITEM GROUP BY playlist_id
), spans AS (
    SELECT playlist_id, song_id,
           MIN(snapshot_date) AS first_day,
           MAX(snapshot_date) AS last_day,
           COUNT(DISTINCT snapshot_date) AS days_on_playlist,
           MIN(position) + 1 AS best_position,
           MIN(added_at) AS first_added_at,
           MIN(days_since_release) AS days_since_release_at_add
    FROM PLAYLIST_ITEM
    WHERE item_type = 'track' AND song_id IS NOT NULL
    GROUP BY playlist_id, song_id
)
SELECT sp.playlist_id,
       pl.playlist_name,
       sp.song_id,
       s.song_name,
       s.primary_artist_id,
       a.artist_name AS primary_artist_name,
       s.album_id,
       al.album_name,
       al.release_date,
       al.release_year,
       s.explicit,
       sp.first_day,
       sp.last_day,
       sp.days_on_playlist,
       sp.best_position,
       sp.first_added_at,
       sp.days_since_release_at_add,
       sp.last_day = l.snapshot_date AS on_latest_snapshot
FROM spans AS sp
JOIN latest AS l ON l.playlist_id = sp.playlist_id
LEFT JOIN PLAYLIST AS pl ON pl.playlist_id = sp.playlist_id
LEFT JOIN SONGS AS s ON s.song_id = sp.song_id
LEFT JOIN ARTIST AS a ON a.artist_id = s.primary_artist_id
LEFT JOIN ALBUM AS al ON al.album_id = s.album_id;

-- view: V_ARTIST_DAY
-- grain: one row per artist and snapshot day
-- description: On how many tracked playlists an artist's songs sat that day, how many distinct songs and how many playlist slots (appearances); every credited artist of a song counts, not only the primary one
WITH credited AS (
    SELECT sa.artist_id, pi.snapshot_date, pi.playlist_id, pi.song_id
    FROM PLAYLIST_ITEM AS pi
    JOIN SONG_ARTIST AS sa ON sa.song_id = pi.song_id
    WHERE pi.item_type = 'track' AND pi.song_id IS NOT NULL
), by_song AS (
    -- grouping twice instead of COUNT(DISTINCT ...): the same counts, several times faster
    SELECT artist_id, snapshot_date, COUNT(*) AS songs, SUM(n) AS appearances
    FROM (
        SELECT artist_id, snapshot_date, song_id, COUNT(*) AS n
        FROM credited
        GROUP BY artist_id, snapshot_date, song_id
    ) AS per_song
    GROUP BY artist_id, snapshot_date
), by_playlist AS (
    SELECT artist_id, snapshot_date, COUNT(*) AS playlists
    FROM (SELECT DISTINCT artist_id, snapshot_date, playlist_id FROM credited) AS per_playlist
    GROUP BY artist_id, snapshot_date
)
SELECT b.artist_id,
       a.artist_name,
       b.snapshot_date,
       p.playlists,
       b.songs,
       b.appearances
FROM by_song AS b
JOIN by_playlist AS p ON p.artist_id = b.artist_id AND p.snapshot_date = b.snapshot_date
LEFT JOIN ARTIST AS a ON a.artist_id = b.artist_id;

-- view: V_GENRE_DAY
-- grain: one row per genre and snapshot day
-- description: Playlist appearances of artists with the genre that day, and the genre's share (percent) of all appearances of artists that have any genre; empty where the profile has no genres
WITH by_genre AS (
    SELECT ag.genre, ad.snapshot_date,
           COUNT(DISTINCT ad.artist_id) AS artists,
           SUM(ad.appearances) AS appearances
    FROM V_ARTIST_DAY AS ad
    JOIN ARTIST_GENRE AS ag ON ag.artist_id = ad.artist_id
    GROUP BY ag.genre, ad.snapshot_date
), tagged AS (
    SELECT ad.snapshot_date, SUM(ad.appearances) AS appearances
    FROM V_ARTIST_DAY AS ad
    WHERE ad.artist_id IN (SELECT artist_id FROM ARTIST_GENRE)
    GROUP BY ad.snapshot_date
)
SELECT g.genre,
       g.snapshot_date,
       g.artists,
       g.appearances,
       ROUND(100.0 * g.appearances / NULLIF(t.appearances, 0), 2) AS share_pct
FROM by_genre AS g
JOIN tagged AS t ON t.snapshot_date = g.snapshot_date;

-- view: V_SONG
-- grain: one row per song
-- description: A song with its album, release, primary artist and duration in minutes, flat for a BI tool's field list
SELECT s.song_id,
       s.song_name,
       s.primary_artist_id,
       a.artist_name AS primary_artist_name,
       s.artist_count,
       s.album_id,
       al.album_name,
       al.album_type,
       al.label,
       al.release_date,
       al.release_year,
       al.release_year - MOD(al.release_year, 10) AS release_decade,
       s.duration_ms,
       ROUND(s.duration_ms / 60000.0, 2) AS duration_minutes,
       s.explicit,
       s.isrc,
       s.popularity,
       s.first_seen_at,
       s.last_seen_at
FROM SONGS AS s
LEFT JOIN ALBUM AS al ON al.album_id = s.album_id
LEFT JOIN ARTIST AS a ON a.artist_id = s.primary_artist_id;
