package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/org"
)

type channelRow struct {
	Ch          org.Channel
	UnitName    string
	ExpiresSoon bool
	Expired     bool
	Usage       float64
	HasUsage    bool
	Paused      bool
}

type channelsData struct {
	Rows      []channelRow
	Reconnect int
}

// tokenWarning is how early an expiring token is flagged.
const tokenWarning = 7 * 24 * time.Hour

func (h *Handler) channelsPage(c *gin.Context) {
	l := h.l(c)
	ctx := c.Request.Context()
	s, _ := session(c)
	chans, err := h.d.Scope.VisibleChannels(ctx, s.Principal)
	if err != nil {
		h.fail(c, err)
		return
	}
	units, err := h.d.Org.Units(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	now := h.d.Now()
	var d channelsData
	for _, ch := range chans {
		r := channelRow{Ch: ch, UnitName: names[ch.UnitID]}
		if ch.TokenExpiresAt != nil {
			r.Expired = !ch.TokenExpiresAt.After(now)
			r.ExpiresSoon = !r.Expired && ch.TokenExpiresAt.Sub(now) < tokenWarning
		}
		r.Paused = ch.PausedUntil != nil && ch.PausedUntil.After(now)
		if h.d.Usage != nil {
			r.Usage, r.HasUsage = h.d.Usage.AccountUsage(ch.ExternalID)
		}
		if ch.Status == org.StatusReconnectNeeded || r.Expired {
			d.Reconnect++
		}
		d.Rows = append(d.Rows, r)
	}
	h.render(c, http.StatusOK, "channels", h.view(c, l.T("ch.title"), "channels", d))
}
