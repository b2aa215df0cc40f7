package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
)

type channelRow struct {
	Ch       org.Channel
	UnitName string
	Health   org.Health
	Usage    float64
	HasUsage bool
	Paused   bool
	// Manage: the reader administers this channel's office, so the row
	// offers "periksa sekarang" and reconnecting; others are told to ask
	// their office's admin.
	Manage bool
}

type channelsData struct {
	Rows []channelRow
	// Reconnect counts the channels that need reconnecting (or lack
	// permissions); Admin: the reader may act on the channels page.
	Reconnect int
	Admin     bool
	// CanCheck: tokens can be checked now (a Graph API client is wired);
	// Connect: Facebook Login is configured.
	CanCheck, Connect bool
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
	d := channelsData{Admin: s.Principal.Role == auth.RoleAdmin, CanCheck: h.d.Checks != nil,
		Connect: h.d.Connect != nil && h.d.Connect.Ready()}
	managed := map[int64]bool{}
	if d.Admin {
		sub, err := h.subtree(ctx, s.Principal)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, u := range sub {
			managed[u.ID] = true
		}
	}
	for _, ch := range chans {
		r := channelRow{Ch: ch, UnitName: names[ch.UnitID], Health: ch.Health(now), Manage: managed[ch.UnitID]}
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
