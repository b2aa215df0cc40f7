-- A post's image on the platform's CDN (Facebook full_picture, Instagram
-- media_url or a video's thumbnail_url), so reports and the calendar show a
-- thumbnail of posts published outside humas too. Empty for text posts and
-- for rows written before this column.
ALTER TABLE posts ADD COLUMN thumbnail_url String DEFAULT '' AFTER permalink
