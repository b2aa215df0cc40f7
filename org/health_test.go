package org_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

// A channel is healthy only when its token was checked and found valid,
// complete and not about to expire; each other case names its state.
func TestChannelHealth(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	checked := at(-time.Hour)
	for _, c := range []struct {
		name string
		ch   org.Channel
		want string
	}{
		{"no token", org.Channel{Status: org.StatusActive}, org.HealthReconnect},
		{"never checked", org.Channel{Status: org.StatusActive, HasToken: true}, org.HealthUnchecked},
		{"valid", org.Channel{Status: org.StatusActive, HasToken: true, TokenCheckedAt: checked}, org.HealthOK},
		{"valid, never expires", org.Channel{Status: org.StatusActive, HasToken: true, TokenCheckedAt: checked, TokenExpiresAt: nil}, org.HealthOK},
		{"expires in 30 days", org.Channel{Status: org.StatusActive, HasToken: true, TokenCheckedAt: checked, TokenExpiresAt: at(30 * 24 * time.Hour)}, org.HealthOK},
		{"expires in 6 days", org.Channel{Status: org.StatusActive, HasToken: true, TokenCheckedAt: checked, TokenExpiresAt: at(6 * 24 * time.Hour)}, org.HealthExpiring},
		{"expired", org.Channel{Status: org.StatusActive, HasToken: true, TokenCheckedAt: checked, TokenExpiresAt: at(-time.Minute)}, org.HealthReconnect},
		{"missing permissions", org.Channel{Status: org.StatusReconnectNeeded, StatusReason: "lacks", HasToken: true, TokenCheckedAt: checked,
			MissingPermissions: []string{"pages_manage_posts"}}, org.HealthMissing},
		{"unchecked but refused by a publish", org.Channel{Status: org.StatusReconnectNeeded, StatusReason: "expired", HasToken: true}, org.HealthReconnect},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.ch.Health(now)
			if h.State != c.want {
				t.Errorf("state %s, want %s", h.State, c.want)
			}
			if h.NeedsAttention() != (c.want != org.HealthOK && c.want != org.HealthUnchecked) {
				t.Errorf("NeedsAttention %v for %s", h.NeedsAttention(), h.State)
			}
			if c.want == org.HealthMissing && !slices.Equal(h.Missing, []string{"pages_manage_posts"}) {
				t.Errorf("missing %v", h.Missing)
			}
		})
	}
}

// Connect creates a channel, replaces a connected one's token (fresh,
// unchecked health), and brings a disconnected one back under its id.
func TestConnectChannel(t *testing.T) {
	ctx := context.Background()
	s := org.NewStore(storetest.SQLite(t), testKey)
	city, err := s.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateUnit(ctx, org.Unit{Name: "KPU Kabupaten Semarang", Slug: "kpu-semarang", Level: "city"})
	if err != nil {
		t.Fatal(err)
	}
	in := org.ChannelInput{UnitID: city.ID, Platform: org.Facebook, ExternalID: "104857600000001", Name: "KPU Salatiga", AccessToken: "tok-1"}
	c, res, err := s.Connect(ctx, in, "facebook_login")
	if err != nil || res != org.ConnectCreated {
		t.Fatalf("first connect: %s %v", res, err)
	}
	now := time.Now()
	if err := s.SetTokenHealth(ctx, c.ID, org.TokenHealth{CheckedAt: now, MissingPermissions: []string{"read_insights"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkReconnect(ctx, c.ID, "lacks read_insights"); err != nil {
		t.Fatal(err)
	}
	in.AccessToken, in.Name, in.UnitID = "tok-2", "KPU Salatiga (baru)", other.ID
	again, res, err := s.Connect(ctx, in, "facebook_login")
	if err != nil || res != org.ConnectReplaced || again.ID != c.ID {
		t.Fatalf("reconnect: %s %v %+v", res, err, again)
	}
	if h := again.Health(now); h.State != org.HealthUnchecked || again.UnitID != other.ID || again.Name != "KPU Salatiga (baru)" {
		t.Errorf("after reconnecting: %+v health %s", again, h.State)
	}
	if tok, _ := s.ChannelToken(ctx, c.ID); tok != "tok-2" {
		t.Errorf("token %q", tok)
	}
	if err := s.DeleteChannel(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelByExternalID(ctx, org.Facebook, in.ExternalID); err == nil {
		t.Error("a disconnected channel is found")
	}
	in.AccessToken = "tok-3"
	back, res, err := s.Connect(ctx, in, "system_user")
	if err != nil || res != org.ConnectRevived || back.ID != c.ID || back.Status != org.StatusActive {
		t.Fatalf("connect a disconnected channel: %s %v %+v", res, err, back)
	}
	if got, err := s.ChannelByExternalID(ctx, org.Facebook, in.ExternalID); err != nil || got.ID != c.ID {
		t.Errorf("by external id: %+v %v", got, err)
	}
	if _, _, err := s.Connect(ctx, org.ChannelInput{UnitID: city.ID, Platform: org.Facebook, ExternalID: in.ExternalID, Name: "", AccessToken: "x"}, "facebook_login"); err == nil {
		t.Error("a nameless reconnect is accepted")
	}
}
