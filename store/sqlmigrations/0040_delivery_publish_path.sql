-- Which Graph API path published a delivery (feed, photo, photos, video,
-- reel, ig_image, ig_reel, ig_carousel): a vertical Facebook video of 90 s
-- or less goes through the Reels flow, other videos through /videos, and
-- reconciliation follows the path used.
ALTER TABLE deliveries ADD COLUMN publish_path TEXT NOT NULL DEFAULT '';
-- How many Instagram containers were made for the delivery: a container
-- that never finishes fails the delivery instead of being made again and
-- again.
ALTER TABLE deliveries ADD COLUMN containers_created INTEGER NOT NULL DEFAULT 0;
