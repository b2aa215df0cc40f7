package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
)

// externalPosts are the posts published outside humas in [from, to) on
// the channels of unit (0: every unit) or on one channel, as the collector
// found them: the calendar and list show them beside humas's own, so the
// month matches what the Page shows. Without the analytics service there
// are none.
func (h *Handler) externalPosts(c *gin.Context, from, to time.Time, unit, channel int64) ([]analytics.PlatformPost, error) {
	if h.d.Platform == nil {
		return nil, nil
	}
	q := analytics.PlatformPostsQuery{From: from, To: to, ExternalOnly: true}
	if unit > 0 {
		q.Unit = uint64(unit)
	}
	if channel > 0 {
		q.Channel = uint64(channel)
	}
	posts, err := h.d.Platform.PlatformPosts(c.Request.Context(), q)
	if err != nil {
		// The calendar works without ClickHouse: say so in the log, show
		// humas's own posts.
		h.log.WarnContext(c.Request.Context(), "posts outside humas not shown", "err", err)
		return nil, nil
	}
	return posts, nil
}
