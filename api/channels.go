package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/org"
)

// tokenHealth summarises a channel's token for staff.
type tokenHealth struct {
	Status             string     `json:"status"` // ok, expiring, reconnect_needed, missing_permissions, unchecked, no_token
	ExpiresAt          *time.Time `json:"expires_at,omitempty"`
	CheckedAt          *time.Time `json:"checked_at,omitempty"`
	MissingPermissions []string   `json:"missing_permissions"`
	Message            string     `json:"message"`
	MessageID          string     `json:"message_id"`
}

type channelView struct {
	org.Channel
	TokenHealth tokenHealth `json:"token_health"`
}

func viewChannel(c org.Channel, now time.Time) channelView {
	hl := c.Health(now)
	h := tokenHealth{Status: hl.State, ExpiresAt: c.TokenExpiresAt, CheckedAt: c.TokenCheckedAt, MissingPermissions: c.MissingPermissions}
	switch hl.State {
	case org.HealthReconnect:
		if !c.HasToken {
			h.Status, h.Message, h.MessageID = "no_token", "no access token is stored: connect the channel", "belum ada token akses: hubungkan kanal"
			break
		}
		h.Message, h.MessageID = "reconnect the channel: "+hl.Reason, "hubungkan ulang kanal: "+hl.Reason
	case org.HealthMissing:
		perms := strings.Join(hl.Missing, ", ")
		h.Message, h.MessageID = "the token lacks permissions: "+perms, "izin kurang: "+perms
	case org.HealthExpiring:
		h.Message, h.MessageID = "the token expires within 7 days: reconnect the channel", "token kedaluwarsa dalam 7 hari: hubungkan ulang kanal"
	case org.HealthUnchecked:
		h.Message, h.MessageID = "not checked yet: press \"Check now\" on the channels page (/admin/channels) or wait for the daily check", "belum diperiksa: tekan \"Periksa sekarang\" di halaman kanal (/admin/channels) atau tunggu pemeriksaan harian"
	default:
		h.Message, h.MessageID = "the token is valid", "token berlaku"
	}
	return channelView{Channel: c, TokenHealth: h}
}

type channelRequest struct {
	Platform    string  `json:"platform"`
	ExternalID  string  `json:"external_id"`
	Name        string  `json:"name"`
	Unit        string  `json:"unit"` // id or slug
	AccessToken string  `json:"access_token"`
	Status      *string `json:"status"`
}

// listChannels lists the channels of the caller's unit and the units
// below it (every channel for an admin).
func (d SchedulerDeps) listChannels(c *gin.Context) (any, error) {
	list, err := d.Calendar.VisibleChannels(c.Request.Context(), Principal(c))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]channelView, 0, len(list))
	for _, ch := range list {
		out = append(out, viewChannel(ch, now))
	}
	return gin.H{"channels": out}, nil
}

func (d SchedulerDeps) getChannel(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	if err := d.Calendar.CheckChannel(c.Request.Context(), Principal(c), id); err != nil {
		return nil, err
	}
	ch, err := d.Org.Channel(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return viewChannel(ch, time.Now()), nil
}

func (d SchedulerDeps) createChannel(c *gin.Context) (any, error) {
	var r channelRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	var unitID int64
	if r.Unit != "" {
		var err error
		if unitID, err = d.resolveUnit(c, r.Unit, "unit"); err != nil {
			return nil, err
		}
	}
	if d.Tokens != nil && r.AccessToken != "" && (r.Platform == org.Facebook || r.Platform == org.Instagram) && strings.TrimSpace(r.ExternalID) != "" {
		tok, err := d.Tokens.Check(c.Request.Context(), r.Platform, strings.TrimSpace(r.ExternalID), strings.TrimSpace(r.AccessToken))
		if err != nil {
			return nil, err
		}
		r.AccessToken = tok
	}
	ch, err := d.Org.CreateChannel(c.Request.Context(), org.ChannelInput{UnitID: unitID, Platform: r.Platform, ExternalID: r.ExternalID, Name: r.Name, AccessToken: r.AccessToken})
	if err != nil {
		return nil, err
	}
	return Status{Code: http.StatusCreated, Body: viewChannel(ch, time.Now())}, nil
}

type channelPatch struct {
	Name        *string `json:"name"`
	Unit        *string `json:"unit"`
	AccessToken *string `json:"access_token"`
	Status      *string `json:"status"`
}

func (d SchedulerDeps) patchChannel(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r channelPatch
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	if d.Tokens != nil && r.AccessToken != nil && strings.TrimSpace(*r.AccessToken) != "" {
		cur, err := d.Org.Channel(c.Request.Context(), id)
		if err != nil {
			return nil, err
		}
		tok, err := d.Tokens.Check(c.Request.Context(), cur.Platform, cur.ExternalID, strings.TrimSpace(*r.AccessToken))
		if err != nil {
			return nil, err
		}
		r.AccessToken = &tok
	}
	p := org.ChannelPatch{Name: r.Name, AccessToken: r.AccessToken, Status: r.Status}
	if r.Unit != nil {
		u, err := d.resolveUnit(c, *r.Unit, "unit")
		if err != nil {
			return nil, err
		}
		p.UnitID = &u
	}
	ch, err := d.Org.UpdateChannel(c.Request.Context(), id, p)
	if err != nil {
		return nil, err
	}
	return viewChannel(ch, time.Now()), nil
}

func (d SchedulerDeps) deleteChannel(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	if err := d.Org.DeleteChannel(c.Request.Context(), id); err != nil {
		return nil, err
	}
	return nil, nil
}
