package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/org"
)

type channelRow struct {
	Ch       org.Channel
	UnitName string
	Health   org.Health
	Usage    float64
	HasUsage bool
	Paused   bool
}

type channelsData struct {
	Rows []channelRow
	// Reconnect counts the channels that need reconnecting (or lack
	// permissions); Admin: the reader may act on the channels page.
	Reconnect int
	Admin     bool
}

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
	d := channelsData{Admin: s.Principal.Role == "admin"}
	for _, ch := range chans {
		r := channelRow{Ch: ch, UnitName: names[ch.UnitID], Health: ch.Health(now)}
		r.Paused = ch.PausedUntil != nil && ch.PausedUntil.After(now)
		if h.d.Usage != nil {
			r.Usage, r.HasUsage = h.d.Usage.AccountUsage(ch.ExternalID)
		}
		if r.Health.State == org.HealthReconnect || r.Health.State == org.HealthMissing {
			d.Reconnect++
		}
		d.Rows = append(d.Rows, r)
	}
	h.render(c, http.StatusOK, "channels", h.view(c, l.T("ch.title"), "channels", d))
}
