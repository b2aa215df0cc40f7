package collector

import (
	"context"
	"errors"
	"time"

	"github.com/humas-id/humas/inbox"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
)

// CommentSink keeps the comments the collector reads (*inbox.Service).
type CommentSink interface {
	Cursors(ctx context.Context, channelID int64) (map[string]inbox.Cursor, error)
	SaveCollected(ctx context.Context, ch org.Channel, at time.Time, got []inbox.Collected) (int, error)
}

// commentTargets picks the items whose comments are read this run:
// younger than the configured age, not stories, and with a comment count
// that changed since the last read (unknown counts are read). since is
// the newest comment seen on each: only newer ones are asked for.
func commentTargets(ch org.Channel, items []item, cursors map[string]inbox.Cursor, now time.Time, maxAge time.Duration) ([]meta.CommentTarget, []time.Time, []item) {
	var targets []meta.CommentTarget
	var since []time.Time
	var picked []item
	for _, it := range items {
		if now.Sub(it.published) > maxAge || it.productType == "STORY" {
			continue
		}
		count, known := it.vals["comments"].Value, it.vals["comments"].OK
		cur, seen := cursors[it.id]
		if known && (seen && cur.LastCount == count || !seen && count == 0) {
			continue
		}
		targets = append(targets, meta.CommentTarget{Platform: ch.Platform, ObjectID: it.id})
		since = append(since, cur.LastCreated)
		picked = append(picked, it)
	}
	return targets, since, picked
}

// collectComments reads the new comments of a channel's recent posts in
// batches and stores them in the inbox. Its failures do not fail the
// channel's collection (the snapshots are already queued); a missing
// permission is logged once per run and shows in the channel's health at
// the daily token check.
func (c *Collector) collectComments(ctx context.Context, ch org.Channel, token string, items []item, now time.Time) {
	maxAge := c.cfg.CommentsMaxAge.D()
	if c.comments == nil || maxAge <= 0 || len(items) == 0 {
		return
	}
	cursors, err := c.comments.Cursors(ctx, ch.ID)
	if err != nil {
		c.log.ErrorContext(ctx, "comment cursors not read", "channel_id", ch.ID, "err", err)
		return
	}
	targets, since, picked := commentTargets(ch, items, cursors, now, maxAge)
	if len(targets) == 0 {
		return
	}
	res, err := c.graph.ListCommentsBatch(ctx, token, targets, since)
	if err != nil {
		c.m.channelErrors.WithLabelValues("comments").Inc()
		c.log.WarnContext(ctx, "comments not collected", "channel_id", ch.ID, "err", err)
		return
	}
	got := make([]inbox.Collected, 0, len(res))
	warned := false
	for i, r := range res {
		if r.Err != nil {
			var me *meta.Error
			if !warned && errors.As(r.Err, &me) && me.Class == meta.ClassPermission {
				c.log.WarnContext(ctx, "comments not collected: the channel's token lacks a permission", "channel_id", ch.ID, "permission", me.Permission)
				warned = true
			} else if !warned {
				c.log.WarnContext(ctx, "comments of a post not collected", "channel_id", ch.ID, "post", targets[i].ObjectID, "err", r.Err)
			}
			continue
		}
		count := int64(-1)
		if v := picked[i].vals["comments"]; v.OK {
			count = v.Value
		}
		got = append(got, inbox.Collected{ObjectID: targets[i].ObjectID, PostText: picked[i].caption, PostURL: picked[i].permalink,
			Count: count, Comments: r.Comments})
	}
	n, err := c.comments.SaveCollected(ctx, ch, now, got)
	if err != nil {
		c.log.ErrorContext(ctx, "comments not stored", "channel_id", ch.ID, "err", err)
		return
	}
	c.m.comments.WithLabelValues(ch.Platform).Add(float64(n))
}
