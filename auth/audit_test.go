package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store/storetest"
)

// TestUserChangesAreAudited: creating and revoking a user each leave an
// audit line naming the actor; neither the token nor its hash or prefix
// is in it.
func TestUserChangesAreAudited(t *testing.T) {
	db := storetest.SQLite(t)
	if _, err := db.DB.Exec(`INSERT INTO units (name, slug, created_at) VALUES ('KPU RI', 'kpu-ri', '2026-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	s := auth.NewStore(db)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 7, Name: "admin-ri", Role: auth.RoleAdmin})
	u, tok, err := s.CreateUser(ctx, "sari", 1, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(auth.WithPrincipal(context.Background(), auth.CLIActor), "sari"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(ctx, "sari", 1, auth.RoleEditor); err == nil {
		t.Fatal("duplicate name accepted")
	}
	rows, err := db.DB.Query(`SELECT COALESCE(actor_id, 0), actor_name, entity, entity_id, action, from_state, to_state, reason, detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		actorID                          int64
		actor, entity                    string
		id                               int64
		action, from, to, reason, detail string
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.actorID, &r.actor, &r.entity, &r.id, &r.action, &r.from, &r.to, &r.reason, &r.detail); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("%d audit rows, want 2 (the refused duplicate leaves none): %+v", len(got), got)
	}
	if r := got[0]; r.actorID != 7 || r.actor != "admin-ri" || r.entity != "user" || r.id != u.ID || r.action != "create" ||
		!strings.Contains(r.detail, `"role":"editor"`) || !strings.Contains(r.detail, `"name":"sari"`) {
		t.Errorf("create row = %+v", r)
	}
	if r := got[1]; r.actorID != 0 || r.actor != "cli" || r.id != u.ID || r.action != "revoke" || r.from != "active" ||
		r.to != "disabled" || !strings.Contains(r.detail, `"tokens_revoked":1`) {
		t.Errorf("revoke row = %+v", r)
	}
	for _, r := range got {
		all := strings.Join([]string{r.actor, r.action, r.reason, r.detail}, "|")
		for _, secret := range []string{tok, auth.HashToken(tok), tok[:len(auth.TokenPrefix)+6], auth.TokenPrefix} {
			if strings.Contains(all, secret) {
				t.Errorf("audit row %+v holds the token or its hash/prefix", r)
			}
		}
	}
}
