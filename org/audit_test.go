package org_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

type auditRow struct {
	ActorID                     sql.NullInt64
	Actor, Entity               string
	EntityID                    int64
	Action, From, To, Reason, D string
}

func auditRows(t *testing.T, db *sql.DB) []auditRow {
	t.Helper()
	rows, err := db.Query(`SELECT actor_id, actor_name, entity, entity_id, action, from_state, to_state, reason, detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.ActorID, &r.Actor, &r.Entity, &r.EntityID, &r.Action, &r.From, &r.To, &r.Reason, &r.D); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestAdminActionsAreAudited: every unit and channel change leaves one
// audit line naming the actor from the context, and no token (old or new)
// appears in any of them.
func TestAdminActionsAreAudited(t *testing.T) {
	db := storetest.SQLite(t)
	s := org.NewStore(db, testKey)
	admin := auth.Principal{UserID: 42, Name: "admin-ri", Role: auth.RoleAdmin}
	ctx := auth.WithPrincipal(context.Background(), admin)
	const tok1, tok2 = "EAAB-first-secret-token", "EAAB-second-secret-token"

	u, err := s.CreateUnit(ctx, org.Unit{Name: "KPU RI", Slug: "kpu-ri", Level: "national"})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: "100", Name: "KPU RI", AccessToken: tok1})
	if err != nil {
		t.Fatal(err)
	}
	name := "KPU RI (resmi)"
	if _, err := s.UpdateChannel(ctx, ch.ID, org.ChannelPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkReconnect(ctx, ch.ID, "token expired"); err != nil {
		t.Fatal(err)
	}
	tok := tok2
	if _, err := s.UpdateChannel(ctx, ch.ID, org.ChannelPatch{AccessToken: &tok}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteChannel(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	// A refused change leaves no line.
	if _, err := s.CreateUnit(ctx, org.Unit{Name: "dup", Slug: "kpu-ri"}); err == nil {
		t.Fatal("duplicate slug accepted")
	}
	// Without a principal (startup wiring), the actor is "system".
	if _, err := s.CreateUnit(context.Background(), org.Unit{Name: "KPU Jateng", Slug: "kpu-jateng", ParentID: u.ID}); err != nil {
		t.Fatal(err)
	}

	rows := auditRows(t, db.DB)
	want := []struct{ entity, action, from, to, actor string }{
		{"unit", "create", "", "", "admin-ri"},
		{"channel", "create", "", "active", "admin-ri"},
		{"channel", "update", "active", "active", "admin-ri"},
		{"channel", "replace_token", "reconnect_needed", "active", "admin-ri"},
		{"channel", "delete", "active", "disabled", "admin-ri"},
		{"unit", "create", "", "", "system"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d audit rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		r := rows[i]
		if r.Entity != w.entity || r.Action != w.action || r.From != w.from || r.To != w.to || r.Actor != w.actor {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
		if w.actor == "admin-ri" && (!r.ActorID.Valid || r.ActorID.Int64 != 42) {
			t.Errorf("row %d actor id = %v, want 42", i, r.ActorID)
		}
		if w.actor == "system" && r.ActorID.Valid {
			t.Errorf("row %d: system actor has an id %v", i, r.ActorID)
		}
		all := strings.Join([]string{r.Actor, r.Entity, r.Action, r.From, r.To, r.Reason, r.D}, "|")
		if strings.Contains(all, "secret") || strings.Contains(all, "EAAB") {
			t.Errorf("row %d holds a token: %s", i, all)
		}
	}
	if rows[0].EntityID != u.ID || rows[1].EntityID != ch.ID {
		t.Errorf("entity ids %d, %d; want %d, %d", rows[0].EntityID, rows[1].EntityID, u.ID, ch.ID)
	}
	for i, sub := range map[int]string{0: `"slug":"kpu-ri"`, 1: `"token_set":true`, 2: `"name":{"from":"KPU RI","to":"KPU RI (resmi)"}`,
		3: `"token_replaced":true`, 4: `"token_forgotten":true`} {
		if !strings.Contains(rows[i].D, sub) {
			t.Errorf("row %d detail %s lacks %s", i, rows[i].D, sub)
		}
	}
	// The log stays append-only.
	if _, err := db.DB.Exec(`UPDATE audit_log SET actor_name = 'x'`); err == nil {
		t.Error("audit_log accepted an UPDATE")
	}
	if _, err := db.DB.Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("audit_log accepted a DELETE")
	}
}
