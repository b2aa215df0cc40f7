package org_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func TestUnitsTree(t *testing.T) {
	ctx := context.Background()
	s := org.NewStore(storetest.SQLite(t), testKey)
	ri, err := s.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", Level: "national", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	jateng, err := s.CreateUnit(ctx, org.Unit{ParentID: ri.ID, Name: "KPU Jawa Tengah", Slug: "kpu-jateng", Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	sala, err := s.CreateUnit(ctx, org.Unit{ParentID: jateng.ID, Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	papua, err := s.CreateUnit(ctx, org.Unit{ParentID: ri.ID, Name: "KPU Papua", Slug: "kpu-papua", Level: "province", Timezone: "Asia/Jayapura"})
	if err != nil {
		t.Fatal(err)
	}
	if jateng.Timezone != "Asia/Jakarta" {
		t.Errorf("default timezone = %q", jateng.Timezone)
	}
	got, err := s.Descendants(ctx, jateng.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{jateng.ID, sala.ID}) {
		t.Errorf("Descendants(jateng) = %v", got)
	}
	all, _ := s.Descendants(ctx, ri.ID)
	if len(all) != 4 {
		t.Errorf("Descendants(ri) = %v, want 4 units", all)
	}
	if _, err := s.Descendants(ctx, 999); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("Descendants(999) err = %v", err)
	}
	units, _ := s.Units(ctx)
	if anc := org.Ancestors(units, sala.ID); !slices.Equal(anc, []int64{sala.ID, jateng.ID, ri.ID}) {
		t.Errorf("Ancestors(sala) = %v", anc)
	}
	if u, _ := s.Unit(ctx, papua.ID); u.Location().String() != "Asia/Jayapura" || u.ParentID != ri.ID {
		t.Errorf("Unit(papua) = %+v", u)
	}
	if u, err := s.UnitBySlug(ctx, "kpu-salatiga"); err != nil || u.ID != sala.ID {
		t.Errorf("UnitBySlug = %+v, %v", u, err)
	}

	var conflict *org.ConflictError
	if _, err := s.CreateUnit(ctx, org.Unit{Name: "dup", Slug: "kpu-ri"}); !errors.As(err, &conflict) {
		t.Errorf("duplicate slug err = %v", err)
	}
	_, err = s.CreateUnit(ctx, org.Unit{Name: "", Slug: "Bad Slug", Level: "planet", Timezone: "Mars/Olympus", ParentID: 42})
	var ve org.ValidationError
	if !errors.As(err, &ve) || len(ve) != 5 {
		t.Fatalf("bad unit err = %v", err)
	}
	for _, f := range ve {
		if f.MessageID == "" || f.Message == "" {
			t.Errorf("field %s lacks a message in both languages", f.Field)
		}
	}
}

func TestChannelTokenEncrypted(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	s := org.NewStore(db, testKey)
	u, _ := s.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri"})
	const secret = "EAAB-very-secret-page-token"
	c, err := s.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: "1001", Name: "KPU RI", AccessToken: secret})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != org.StatusActive || !c.HasToken {
		t.Errorf("new channel = %+v", c)
	}
	var blob []byte
	if err := db.DB.QueryRow(`SELECT token_ciphertext FROM channels WHERE id = ?`, c.ID).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte(secret)) || len(blob) < len(secret) {
		t.Fatalf("token stored in clear or truncated: %q", blob)
	}
	tok, err := s.ChannelToken(ctx, c.ID)
	if err != nil || tok != secret {
		t.Fatalf("ChannelToken = %q, %v", tok, err)
	}
	// Another key cannot read it, and says why without the token.
	other := org.NewStore(db, bytes.Repeat([]byte{9}, 32))
	if _, err := other.ChannelToken(ctx, c.ID); err == nil || strings.Contains(err.Error(), secret) || !org.TokenUnusable(err) {
		t.Errorf("wrong key err = %v (unusable %v)", err, org.TokenUnusable(err))
	}
	// No key: reading and storing tokens refuse, saying how to make a key.
	nokey := org.NewStore(db, nil)
	if _, err := nokey.ChannelToken(ctx, c.ID); !errors.Is(err, org.ErrNoKey) || !org.TokenUnusable(err) {
		t.Errorf("no key read err = %v", err)
	}
	// No such channel: unusable. The database not answering (here a
	// cancelled read) is not: a publisher tries again.
	if _, err := s.ChannelToken(ctx, 999999); !org.TokenUnusable(err) {
		t.Errorf("missing channel err = %v, want unusable", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.ChannelToken(cancelled, c.ID); err == nil || org.TokenUnusable(err) {
		t.Errorf("cancelled read err = %v, want an error that is not unusable", err)
	}
	_, err = nokey.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Instagram, ExternalID: "1002", Name: "ig", AccessToken: "x"})
	if !errors.Is(err, org.ErrNoKey) || !strings.Contains(err.Error(), "openssl rand -hex 32") {
		t.Errorf("no key store err = %v", err)
	}
	// A channel without a token works without a key.
	if _, err := nokey.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Instagram, ExternalID: "1002", Name: "ig"}); err != nil {
		t.Errorf("tokenless channel: %v", err)
	}
	var conflict *org.ConflictError
	if _, err := s.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: "1001", Name: "again"}); !errors.As(err, &conflict) {
		t.Errorf("duplicate channel err = %v", err)
	}
}

func TestChannelStatus(t *testing.T) {
	ctx := context.Background()
	s := org.NewStore(storetest.SQLite(t), testKey)
	u, _ := s.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri"})
	c, _ := s.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Instagram, ExternalID: "17841", Name: "kpu_ri", AccessToken: "t1"})

	if err := s.MarkReconnect(ctx, c.ID, "token expired"); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := s.SetPausedUntil(ctx, c.ID, until); err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	if err := s.SetTokenHealth(ctx, c.ID, org.TokenHealth{CheckedAt: until, ExpiresAt: &exp, Scopes: []string{"instagram_basic"},
		MissingPermissions: []string{"instagram_content_publish"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLastCollected(ctx, c.ID, until); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Channel(ctx, c.ID)
	if got.Status != org.StatusReconnectNeeded || got.StatusReason != "token expired" ||
		!got.PausedUntil.Equal(until) || !got.TokenExpiresAt.Equal(exp) || !got.LastCollectedAt.Equal(until) ||
		!slices.Equal(got.MissingPermissions, []string{"instagram_content_publish"}) {
		t.Errorf("channel = %+v", got)
	}
	// A new token reconnects it.
	tok := "t2"
	got, err := s.UpdateChannel(ctx, c.ID, org.ChannelPatch{AccessToken: &tok})
	if err != nil || got.Status != org.StatusActive || got.StatusReason != "" {
		t.Fatalf("after new token = %+v, %v", got, err)
	}
	if tk, _ := s.ChannelToken(ctx, c.ID); tk != "t2" {
		t.Errorf("token = %q", tk)
	}
	if err := s.SetPausedUntil(ctx, c.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Channel(ctx, c.ID); got.PausedUntil != nil {
		t.Errorf("pause not lifted: %v", got.PausedUntil)
	}
	if err := s.DeleteChannel(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Channel(ctx, c.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("deleted channel err = %v", err)
	}
	if list, _ := s.Channels(ctx); len(list) != 0 {
		t.Errorf("Channels after delete = %v", list)
	}
}

func TestMirrorToClickHouse(t *testing.T) {
	ctx := context.Background()
	ch := storetest.ClickHouse(t)
	s := org.NewStore(storetest.SQLite(t), testKey)
	ri, _ := s.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri"})
	prov, _ := s.CreateUnit(ctx, org.Unit{ParentID: ri.ID, Name: "KPU Jateng", Slug: "kpu-jateng"})
	city, _ := s.CreateUnit(ctx, org.Unit{ParentID: prov.ID, Name: "KPU Salatiga", Slug: "kpu-salatiga"})
	c, _ := s.CreateChannel(ctx, org.ChannelInput{UnitID: city.ID, Platform: org.Facebook, ExternalID: "555", Name: "KPU Salatiga"})
	if err := s.MirrorToClickHouse(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if err := s.MirrorToClickHouse(ctx, ch); err != nil { // twice: still one row each with FINAL
		t.Fatal(err)
	}
	var anc []uint64
	if err := ch.QueryRow(ctx, `SELECT ancestors FROM units FINAL WHERE unit_id = ?`, uint64(city.ID)).Scan(&anc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(anc, []uint64{uint64(city.ID), uint64(prov.ID), uint64(ri.ID)}) {
		t.Errorf("ancestors = %v", anc)
	}
	var n uint64
	if err := ch.QueryRow(ctx, `SELECT count() FROM units FINAL`).Scan(&n); err != nil || n != 3 {
		t.Errorf("units FINAL count = %d, %v", n, err)
	}
	var acct string
	var unit uint64
	if err := ch.QueryRow(ctx, `SELECT account_id, unit_id FROM channels FINAL WHERE channel_id = ?`, uint64(c.ID)).Scan(&acct, &unit); err != nil {
		t.Fatal(err)
	}
	if acct != "555" || unit != uint64(city.ID) {
		t.Errorf("channel row = %s %d", acct, unit)
	}
}
