package scheduler_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// orgTree is e.unit (a city office) with a district below it and a
// second city beside it, a Page channel in each, a disabled channel in
// the city, and users of every role where the tests need them.
type orgTree struct {
	district, other                    org.Unit
	city, cityOff, districtCh, otherCh org.Channel
	admin, otherEditor, districtEditor auth.Principal
	districtApprover                   auth.Principal
}

func newOrgTree(t *testing.T, e *env) orgTree {
	t.Helper()
	ctx := context.Background()
	var o orgTree
	var err error
	if o.district, err = e.org.CreateUnit(ctx, org.Unit{ParentID: e.unit.ID, Name: "PPK Sidorejo", Slug: "ppk-sidorejo", Level: "other"}); err != nil {
		t.Fatal(err)
	}
	if o.other, err = e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-magelang", Level: "city"}); err != nil {
		t.Fatal(err)
	}
	o.city = e.page("100")
	o.cityOff = e.page("101")
	off := org.StatusDisabled
	if _, err := e.org.UpdateChannel(ctx, o.cityOff.ID, org.ChannelPatch{Status: &off}); err != nil {
		t.Fatal(err)
	}
	mk := func(unit int64, ext string) org.Channel {
		c, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: unit, Platform: org.Facebook, ExternalID: ext, Name: "Page " + ext, AccessToken: "tok-" + ext})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	o.districtCh, o.otherCh = mk(o.district.ID, "200"), mk(o.other.ID, "300")
	as := auth.NewStore(e.db)
	user := func(name string, unit int64, role auth.Role) auth.Principal {
		_, tok, err := as.CreateUser(ctx, name, unit, role)
		if err != nil {
			t.Fatal(err)
		}
		p, err := as.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	o.admin = user("admin", e.unit.ID, auth.RoleAdmin)
	o.otherEditor = user("editor-magelang", o.other.ID, auth.RoleEditor)
	o.districtEditor = user("editor-sidorejo", o.district.ID, auth.RoleEditor)
	o.districtApprover = user("approver-sidorejo", o.district.ID, auth.RoleApprover)
	return o
}

func channelIDs(cs []org.Channel) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func TestWritableChannels(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	o := newOrgTree(t, e)
	ids := func(cs ...org.Channel) []int64 { return channelIDs(cs) }
	tests := []struct {
		name string
		p    auth.Principal
		unit int64
		want []int64
	}{
		{"editor: own unit and below, not disabled", e.editor, 0, ids(o.city, o.districtCh)},
		{"approver: own unit and below", e.approver, 0, ids(o.city, o.districtCh)},
		{"approver: a post of the district below", e.approver, o.district.ID, ids(o.districtCh)},
		{"admin of the city: the city and below", o.admin, 0, ids(o.city, o.districtCh)},
		{"admin: another unit's post", o.admin, o.other.ID, ids(o.otherCh)},
		{"district editor: own unit only", o.districtEditor, 0, ids(o.districtCh)},
		{"editor of another city", o.otherEditor, 0, ids(o.otherCh)},
		{"viewer: none", e.viewer, 0, nil},
		{"editor: a unit not theirs", e.editor, o.district.ID, nil},
		{"district approver: the city above", o.districtApprover, e.unit.ID, nil},
		{"unknown unit", o.admin, 999, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.WritableChannels(ctx, tt.p, tt.unit)
			if err != nil {
				t.Fatal(err)
			}
			if g := channelIDs(got); !slices.Equal(g, tt.want) {
				t.Errorf("channels %v, want %v", g, tt.want)
			}
		})
	}
	// What it offers, CreatePost accepts; what it leaves out, CreatePost refuses.
	at := time.Now().Add(time.Hour)
	if _, err := e.svc.CreatePost(ctx, o.districtEditor, textDraft("Di kanal sendiri", at, o.districtCh.ID), false); err != nil {
		t.Errorf("create on an offered channel: %v", err)
	}
	var ve scheduler.ValidationError
	for _, c := range []org.Channel{o.city, o.otherCh} {
		if _, err := e.svc.CreatePost(ctx, o.districtEditor, textDraft("Di kanal lain", at, c.ID), false); !errors.As(err, &ve) {
			t.Errorf("create on channel %d, not offered: err = %v", c.ID, err)
		}
	}
	if _, err := e.svc.CreatePost(ctx, e.editor, textDraft("Kanal nonaktif", at, o.cityOff.ID), true); !errors.As(err, &ve) {
		t.Errorf("submit on a disabled channel: err = %v", err)
	}
}

func TestCanEdit(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	ctx := context.Background()
	o := newOrgTree(t, e)
	at := time.Now().Add(time.Hour)
	draft, err := e.svc.CreatePost(ctx, e.editor, textDraft("Draf", at, o.city.ID), false)
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := e.svc.CreatePost(ctx, e.editor, textDraft("Diajukan", at, o.city.ID), true)
	if err != nil {
		t.Fatal(err)
	}
	sched := e.scheduled(textDraft("Terjadwal", at, o.city.ID))
	canceled := e.scheduled(textDraft("Dibatalkan", at, o.city.ID))
	if canceled, err = e.svc.Cancel(ctx, e.editor, canceled.ID, ""); err != nil {
		t.Fatal(err)
	}
	districtPost, err := e.svc.CreatePost(ctx, o.districtEditor, textDraft("Kiriman kecamatan", at, o.districtCh.ID), false)
	if err != nil {
		t.Fatal(err)
	}
	publishing := e.scheduled(textDraft("Sedang tayang", at, o.city.ID))
	if _, err := e.db.DB.Exec(`UPDATE deliveries SET status = 'publishing' WHERE post_id = ?`, publishing.ID); err != nil {
		t.Fatal(err)
	}
	publishing = e.post(publishing.ID)

	const ok, forbidden, conflict = "ok", "forbidden", "conflict"
	tests := []struct {
		name string
		p    auth.Principal
		post scheduler.Post
		want string
	}{
		{"editor, own draft", e.editor, draft, ok},
		{"editor, submitted", e.editor, submitted, ok},
		{"editor, scheduled (goes back to approval)", e.editor, sched, ok},
		{"approver", e.approver, submitted, ok},
		{"admin", o.admin, submitted, ok},
		{"viewer", e.viewer, draft, forbidden},
		{"editor of another city", o.otherEditor, draft, forbidden},
		{"city editor, district post", e.editor, districtPost, forbidden},
		{"city approver, district post", e.approver, districtPost, ok},
		{"district editor, own post", o.districtEditor, districtPost, ok},
		{"canceled", e.editor, canceled, conflict},
		{"a delivery is publishing", e.editor, publishing, conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.svc.CanEdit(ctx, tt.p, tt.post)
			var fe *scheduler.ForbiddenError
			var se *scheduler.StateError
			got := "other: " + errString(err)
			switch {
			case err == nil:
				got = ok
			case errors.As(err, &fe) && fe.MsgID != "":
				got = forbidden
			case errors.As(err, &se) && se.MsgID != "":
				got = conflict
			}
			if got != tt.want {
				t.Errorf("CanEdit = %s (%v), want %s", got, err, tt.want)
			}
			// UpdatePost follows the same rule.
			_, uerr := e.svc.UpdatePost(ctx, tt.p, tt.post.ID, textDraft(tt.post.Caption+" (ubah)", at, tt.post.ChannelIDs()...))
			if (uerr == nil) != (err == nil) {
				t.Errorf("UpdatePost err = %v, CanEdit err = %v", uerr, err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
