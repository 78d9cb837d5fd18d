-- Trend detection: plain statistics over the daily PLAYLIST_ITEM snapshots, every rule stated
-- by its parameters (windows in days, counted back from the newest snapshot; thresholds), so a
-- flagged row can be checked by hand against V_ARTIST_DAY, V_PLAYLIST_DAY or V_GENRE_DAY. A
-- missing snapshot day is not a zero: rates divide by the snapshot days present in a window.
-- Nothing here is a trained model (Spotify's developer terms forbid training on its content).

-- name: trend_artists
-- description: Rising and falling artists: playlist appearances per snapshot day in the last :recent_days days against the :baseline_days days before; flagged when either window has at least :min_support appearances and the rate changed by at least :min_change_pct percent (an artist absent from the baseline is rising); needs snapshots in both windows
-- params: recent_days=7, baseline_days=21, min_support=3, min_change_pct=50
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM), snapshot_days AS (
    SELECT DISTINCT snapshot_date FROM PLAYLIST_ITEM
), windowed AS (
    SELECT s.snapshot_date,
           CASE WHEN DATE_DIFF('day', s.snapshot_date, last.d) < :recent_days THEN 'recent'
                WHEN DATE_DIFF('day', s.snapshot_date, last.d) < :recent_days + :baseline_days
                THEN 'baseline' END AS win
    FROM snapshot_days AS s
    CROSS JOIN last
), days_in AS (
    SELECT COUNT(CASE WHEN win = 'recent' THEN 1 END) AS recent_days_seen,
           COUNT(CASE WHEN win = 'baseline' THEN 1 END) AS baseline_days_seen
    FROM windowed
), per_artist AS (
    SELECT ad.artist_id,
           MAX(ad.artist_name) AS artist_name,
           SUM(CASE WHEN w.win = 'recent' THEN ad.appearances ELSE 0 END) AS recent_appearances,
           SUM(CASE WHEN w.win = 'baseline' THEN ad.appearances ELSE 0 END) AS baseline_appearances
    FROM V_ARTIST_DAY AS ad
    JOIN windowed AS w ON w.snapshot_date = ad.snapshot_date
    WHERE w.win IS NOT NULL
    GROUP BY ad.artist_id
), rates AS (
    SELECT p.*, d.recent_days_seen, d.baseline_days_seen,
           1.0 * p.recent_appearances / d.recent_days_seen AS recent_per_day,
           1.0 * p.baseline_appearances / d.baseline_days_seen AS baseline_per_day
    FROM per_artist AS p
    CROSS JOIN days_in AS d
    WHERE d.recent_days_seen > 0 AND d.baseline_days_seen > 0
)
SELECT artist_id,
       artist_name,
       CASE WHEN recent_per_day > baseline_per_day THEN 'rising' ELSE 'falling' END AS direction,
       recent_appearances,
       baseline_appearances,
       ROUND(recent_per_day, 2) AS recent_per_day,
       ROUND(baseline_per_day, 2) AS baseline_per_day,
       ROUND(100.0 * (recent_per_day - baseline_per_day) / NULLIF(baseline_per_day, 0), 1)
           AS change_pct,
       recent_days_seen,
       baseline_days_seen
FROM rates
WHERE GREATEST(recent_appearances, baseline_appearances) >= :min_support
  AND ABS(recent_per_day - baseline_per_day) >= :min_change_pct / 100.0 * baseline_per_day
  AND recent_per_day <> baseline_per_day
ORDER BY CASE WHEN recent_per_day > baseline_per_day THEN 0 ELSE 1 END,
         ABS(recent_per_day - baseline_per_day) DESC, artist_name, artist_id;

-- name: trend_churn_anomalies
-- description: Playlist churn anomalies: days whose songs entering + leaving lie at least :z_threshold robust standard deviations from that playlist's median over the previous :window_days days (robust z = (x - median) / max(1.4826 x MAD, 1 song)), once the playlist has at least :min_history earlier days in the window
-- params: window_days=14, min_history=5, z_threshold=3.5
WITH days AS (
    SELECT playlist_id, playlist_name, snapshot_date, entries + exits AS changes
    FROM V_PLAYLIST_DAY
    WHERE previous_snapshot IS NOT NULL
), history AS (
    SELECT d.playlist_id, d.snapshot_date, h.changes AS past
    FROM days AS d
    JOIN days AS h
      ON h.playlist_id = d.playlist_id AND h.snapshot_date < d.snapshot_date
     AND DATE_DIFF('day', h.snapshot_date, d.snapshot_date) <= :window_days
), med AS (
    SELECT playlist_id, snapshot_date, MEDIAN(past) AS median_changes, COUNT(*) AS history_days
    FROM history
    GROUP BY playlist_id, snapshot_date
), mad AS (
    SELECT m.playlist_id, m.snapshot_date, MEDIAN(ABS(h.past - m.median_changes)) AS mad
    FROM med AS m
    JOIN history AS h ON h.playlist_id = m.playlist_id AND h.snapshot_date = m.snapshot_date
    GROUP BY m.playlist_id, m.snapshot_date
), scored AS (
    SELECT d.playlist_id, d.playlist_name, d.snapshot_date, d.changes, m.median_changes,
           x.mad, m.history_days,
           (d.changes - m.median_changes) / GREATEST(1.4826 * x.mad, 1.0) AS robust_z
    FROM days AS d
    JOIN med AS m ON m.playlist_id = d.playlist_id AND m.snapshot_date = d.snapshot_date
    JOIN mad AS x ON x.playlist_id = d.playlist_id AND x.snapshot_date = d.snapshot_date
    WHERE m.history_days >= :min_history
)
SELECT playlist_id,
       playlist_name,
       snapshot_date,
       changes,
       median_changes,
       mad,
       history_days,
       ROUND(robust_z, 2) AS robust_z
FROM scored
WHERE ABS(robust_z) >= CAST(:z_threshold AS DOUBLE)
ORDER BY ABS(robust_z) DESC, snapshot_date, playlist_id;

-- name: trend_genre_shifts
-- description: Genre share shifts: a genre's share of the playlist appearances of artists with any genre, in the last :recent_days days against the :baseline_days days before; flagged when the share moved by at least :min_shift_pts percentage points and either window has at least :min_support appearances; empty where the profile has no genres
-- params: recent_days=7, baseline_days=21, min_support=5, min_shift_pts=5
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM), windowed AS (
    -- one pass over V_ARTIST_DAY: artists with a genre, tagged by window
    SELECT ad.artist_id, ad.appearances,
           CASE WHEN DATE_DIFF('day', ad.snapshot_date, last.d) < :recent_days THEN 'recent'
                WHEN DATE_DIFF('day', ad.snapshot_date, last.d) < :recent_days + :baseline_days
                THEN 'baseline' END AS win
    FROM V_ARTIST_DAY AS ad
    CROSS JOIN last
    WHERE ad.artist_id IN (SELECT artist_id FROM ARTIST_GENRE)
), per_artist AS (
    SELECT artist_id,
           SUM(CASE WHEN win = 'recent' THEN appearances ELSE 0 END) AS recent_appearances,
           SUM(CASE WHEN win = 'baseline' THEN appearances ELSE 0 END) AS baseline_appearances
    FROM windowed
    WHERE win IS NOT NULL
    GROUP BY artist_id
), window_totals AS (
    SELECT SUM(recent_appearances) AS recent_total, SUM(baseline_appearances) AS baseline_total
    FROM per_artist
), per_genre AS (
    SELECT ag.genre,
           SUM(p.recent_appearances) AS recent_appearances,
           SUM(p.baseline_appearances) AS baseline_appearances
    FROM per_artist AS p
    JOIN ARTIST_GENRE AS ag ON ag.artist_id = p.artist_id
    GROUP BY ag.genre
), shares AS (
    SELECT p.*,
           100.0 * p.recent_appearances / t.recent_total AS recent_share_pct,
           100.0 * p.baseline_appearances / t.baseline_total AS baseline_share_pct
    FROM per_genre AS p
    CROSS JOIN window_totals AS t
    WHERE t.recent_total > 0 AND t.baseline_total > 0
)
SELECT genre,
       CASE WHEN recent_share_pct > baseline_share_pct THEN 'gaining' ELSE 'losing' END
           AS direction,
       recent_appearances,
       baseline_appearances,
       ROUND(recent_share_pct, 1) AS recent_share_pct,
       ROUND(baseline_share_pct, 1) AS baseline_share_pct,
       ROUND(recent_share_pct - baseline_share_pct, 1) AS shift_pts
FROM shares
WHERE GREATEST(recent_appearances, baseline_appearances) >= :min_support
  AND ABS(recent_share_pct - baseline_share_pct) >= :min_shift_pts
ORDER BY ABS(recent_share_pct - baseline_share_pct) DESC, genre;

-- name: trend_new_releases
-- description: New releases entering playlists: songs that entered a tracked playlist in the last :recent_days days (not on its first snapshot) at most :max_age_days days after their release date (day-precision releases only)
-- params: recent_days=7, max_age_days=30
WITH last AS (SELECT MAX(snapshot_date) AS d FROM PLAYLIST_ITEM), firsts AS (
    SELECT playlist_id, MIN(snapshot_date) AS first_snapshot
    FROM PLAYLIST_ITEM
    GROUP BY playlist_id
)
SELECT ps.playlist_id,
       ps.playlist_name,
       ps.song_id,
       ps.song_name,
       ps.primary_artist_name,
       ps.release_date,
       ps.first_day AS entered_on,
       ps.days_since_release_at_add AS days_after_release
FROM V_PLAYLIST_SONG AS ps
JOIN firsts AS f ON f.playlist_id = ps.playlist_id
CROSS JOIN last
WHERE DATE_DIFF('day', ps.first_day, last.d) < :recent_days
  AND ps.first_day > f.first_snapshot
  AND ps.days_since_release_at_add BETWEEN 0 AND :max_age_days
ORDER BY ps.first_day DESC, ps.days_since_release_at_add, ps.playlist_id, ps.song_id;
