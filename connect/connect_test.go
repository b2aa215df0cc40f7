package connect_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/humas-id/humas/connect"
	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
	"github.com/humas-id/humas/valid"
)

const (
	appID    = "100000000000001"
	secret   = "connect-secret"
	callback = "https://humas.kpu-salatiga.go.id/admin/channels/facebook/callback"
	pageID   = "104857600000001"
	igID     = "17841400000000001"
	admin    = int64(7)
)

type fixture struct {
	sim   *graphsim.Sim
	svc   *connect.Service
	orgs  *org.Store
	graph *meta.Client
	city  org.Unit
	other org.Unit
}

// newFixture is the simulator with an office's Page, its Instagram
// account and the person who manages them, two offices, and the service
// with the scheduler's token check.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{sim: graphsim.New(graphsim.Options{AppID: appID, AppSecret: secret})}
	if err := f.sim.AddPage(pageID, "KPU Kota Salatiga", "page-token-registered"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.AddIGAccount(igID, "kpukotasalatiga", pageID); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.AddUser("1001", "Rina Humas"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.AddPageRole("1001", pageID); err != nil {
		t.Fatal(err)
	}
	f.sim.AllowRedirectURI(callback)
	srv := httptest.NewServer(f.sim)
	t.Cleanup(srv.Close)
	quiet := slog.New(slog.DiscardHandler)
	var err error
	f.graph, err = meta.New(meta.Options{BaseURL: srv.URL, DialogURL: srv.URL, AppID: appID, AppSecret: secret, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.SQLite(t)
	f.orgs = org.NewStore(db, bytes.Repeat([]byte{9}, 32))
	ctx := context.Background()
	if f.city, err = f.orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city"}); err != nil {
		t.Fatal(err)
	}
	if f.other, err = f.orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kabupaten Semarang", Slug: "kpu-semarang", Level: "city"}); err != nil {
		t.Fatal(err)
	}
	sched := scheduler.NewService(db, f.orgs, scheduler.ServiceOptions{Logger: quiet})
	f.svc = connect.New(f.graph, f.orgs, scheduler.NewTokenChecks(sched, f.graph), connect.Options{RedirectURL: callback, Logger: quiet})
	return f
}

// login runs Facebook Login up to the callback and returns its query.
func (f *fixture) login(t *testing.T, c graphsim.Consent) (flow string, q url.Values) {
	t.Helper()
	flow, dialog, err := f.svc.Begin(admin, false)
	if err != nil {
		t.Fatal(err)
	}
	to, err := f.sim.AnswerDialog(dialog, c)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil || !strings.HasPrefix(to, callback+"?") {
		t.Fatalf("sent to %s (%v)", to, err)
	}
	return flow, u.Query()
}

func (f *fixture) finish(t *testing.T, c graphsim.Consent) (string, *connect.Offer) {
	t.Helper()
	flow, q := f.login(t, c)
	id, o, err := f.svc.Finish(context.Background(), flow, admin, q.Get("state"), q.Get("code"), q.Get("error"))
	if err != nil {
		t.Fatal(err)
	}
	return id, o
}

func everywhere(int64) bool { return true }

// The whole login: the Page and its Instagram account are offered, go to
// the office, and are checked at once: healthy, with a Page token that
// never expires; the Instagram channel is named after the account.
func TestFacebookLoginConnects(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, o := f.finish(t, graphsim.Consent{})
	if len(o.Pages) != 1 || o.Pages[0].ID != pageID || o.Pages[0].Instagram == nil || o.Pages[0].Instagram.ID != igID ||
		!o.Pages[0].CanPublish || len(o.Declined) != 0 || len(o.Missing) != 0 {
		t.Fatalf("offer %+v", o)
	}
	if got, err := f.svc.Offer(id, admin+1); !errors.Is(err, connect.ErrNoOffer) || got != nil {
		t.Errorf("another admin reads the offer: %v", err)
	}
	res, err := f.svc.Connect(ctx, id, admin, []connect.Pick{{PageID: pageID, FBUnit: f.city.ID, IGUnit: f.city.ID}}, everywhere)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res {
		if r.Refusal != nil || r.CheckErr != nil || r.Outcome != org.ConnectCreated || r.Health.State != org.HealthOK || r.Channel.UnitID != f.city.ID {
			t.Errorf("%s: %+v", r.Platform, r)
		}
		if r.Channel.TokenExpiresAt != nil {
			t.Errorf("%s token expires at %s: a long-lived user token's Page token should not", r.Platform, r.Channel.TokenExpiresAt)
		}
	}
	if res[1].Name != "@kpukotasalatiga" || res[1].Platform != org.Instagram {
		t.Errorf("Instagram channel %+v", res[1])
	}
	if _, err := f.svc.Connect(ctx, id, admin, nil, everywhere); !errors.Is(err, connect.ErrNoOffer) {
		t.Errorf("an offer used twice: %v", err)
	}

	// Connecting again replaces the tokens of the same channels.
	id, o = f.finish(t, graphsim.Consent{})
	if o.Pages[0].FBChannel == nil || o.Pages[0].FBChannel.ID != res[0].Channel.ID {
		t.Errorf("the offer does not say the Page is connected: %+v", o.Pages[0])
	}
	again, err := f.svc.Connect(ctx, id, admin, []connect.Pick{{PageID: pageID, FBUnit: f.city.ID}}, everywhere)
	if err != nil || len(again) != 1 || again[0].Outcome != org.ConnectReplaced || again[0].Channel.ID != res[0].Channel.ID {
		t.Errorf("reconnect %+v %v", again, err)
	}
}

// The answer must carry the state of this browser's login, by the same
// admin, once.
func TestStateMismatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	flow, q := f.login(t, graphsim.Consent{})
	if _, _, err := f.svc.Finish(ctx, flow, admin, q.Get("state")+"x", q.Get("code"), ""); !errors.Is(err, connect.ErrState) {
		t.Fatalf("a wrong state: %v", err)
	}
	if _, _, err := f.svc.Finish(ctx, flow, admin, q.Get("state"), q.Get("code"), ""); !errors.Is(err, connect.ErrNoFlow) {
		t.Errorf("the flow is used up after a mismatch: %v", err)
	}
	flow, q = f.login(t, graphsim.Consent{})
	if _, _, err := f.svc.Finish(ctx, flow, admin+1, q.Get("state"), q.Get("code"), ""); !errors.Is(err, connect.ErrOtherUser) {
		t.Errorf("another admin's session: %v", err)
	}
	if _, _, err := f.svc.Finish(ctx, "", admin, q.Get("state"), q.Get("code"), ""); !errors.Is(err, connect.ErrNoFlow) {
		t.Errorf("no cookie: %v", err)
	}
	flow, q = f.login(t, graphsim.Consent{Cancel: true})
	if _, _, err := f.svc.Finish(ctx, flow, admin, q.Get("state"), "", q.Get("error")); !errors.Is(err, connect.ErrDenied) {
		t.Errorf("cancelled: %v", err)
	}
}

// Declining a permission: the offer names it, the Page is connected and
// its channel says which permissions it lacks; the Instagram account,
// whose permissions were granted, is healthy.
func TestDeclinedPermission(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, o := f.finish(t, graphsim.Consent{Decline: []string{"pages_manage_posts"}})
	if !slices.Equal(o.Declined, []string{"pages_manage_posts"}) || !slices.Equal(o.Missing, []string{"pages_manage_posts"}) {
		t.Fatalf("declined %v missing %v", o.Declined, o.Missing)
	}
	res, err := f.svc.Connect(ctx, id, admin, []connect.Pick{{PageID: pageID, FBUnit: f.city.ID, IGUnit: f.city.ID}}, everywhere)
	if err != nil || len(res) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if h := res[0].Health; h.State != org.HealthMissing || !slices.Equal(h.Missing, []string{"pages_manage_posts"}) {
		t.Errorf("Facebook channel health %+v", h)
	}
	if h := res[1].Health; h.State != org.HealthOK {
		t.Errorf("Instagram channel health %+v", h)
	}
}

// A person who manages no Page gets an empty offer.
func TestNoPages(t *testing.T) {
	f := newFixture(t)
	if err := f.sim.AddUser("1002", "Tamu Tanpa Page"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.LogInAs("1002"); err != nil {
		t.Fatal(err)
	}
	_, o := f.finish(t, graphsim.Consent{})
	if len(o.Pages) != 0 {
		t.Errorf("offer %+v", o.Pages)
	}
}

// A system-user token lists the Pages it can manage; each Page's token is
// derived when connecting, and that is what is stored.
func TestSystemUserToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.sim.AddSystemUser("EAAsystemUserSalatiga", []string{pageID}); err != nil {
		t.Fatal(err)
	}
	id, o, err := f.svc.FromSystemUser(ctx, admin, " EAAsystemUserSalatiga\n")
	if err != nil {
		t.Fatal(err)
	}
	if o.Via != connect.ViaSystemUser || len(o.Pages) != 1 || o.Pages[0].Instagram == nil {
		t.Fatalf("offer %+v", o)
	}
	res, err := f.svc.Connect(ctx, id, admin, []connect.Pick{{PageID: pageID, FBUnit: f.city.ID, IGUnit: f.other.ID}}, everywhere)
	if err != nil || len(res) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, r := range res {
		if r.Refusal != nil || r.Health.State != org.HealthOK {
			t.Errorf("%s %+v", r.Platform, r)
		}
		tok, err := f.orgs.ChannelToken(ctx, r.Channel.ID)
		if err != nil || tok == "EAAsystemUserSalatiga" || !strings.HasPrefix(tok, "EAAderived") {
			t.Errorf("%s stores %q (%v), want the derived Page token", r.Platform, tok, err)
		}
	}
	if res[1].Channel.UnitID != f.other.ID {
		t.Errorf("Instagram went to unit %d", res[1].Channel.UnitID)
	}
}

// A pasted token Meta does not accept is refused with the reason, on the
// token field.
func TestPastedTokenRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.sim.AddForeignToken("EAAotherAppToken", pageID, "999"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ token, want string }{
		{"EAAmadeUpTokenNobodyIssued", "tidak berlaku"},
		{"page-token-registered", "ini token Page"},
		{"EAAotherAppToken", "milik aplikasi lain"},
		{"", "tempel token"},
		{"two words", "satu kata"},
	} {
		_, _, err := f.svc.FromSystemUser(ctx, admin, c.token)
		fe, ok := valid.Fields(err)
		if !ok || len(fe) != 1 || fe[0].Field != "token" || !strings.Contains(fe[0].MessageID, c.want) || fe[0].Message == "" {
			t.Errorf("%q: %v, want a refusal on token saying %q", c.token, err, c.want)
		}
	}
}

// A channel connected to an office outside the admin's is not taken
// over; an office outside the admin's is refused.
func TestConnectStaysInScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, _, err := f.orgs.Connect(ctx, org.ChannelInput{UnitID: f.other.ID, Platform: org.Facebook, ExternalID: pageID,
		Name: "KPU Kota Salatiga", AccessToken: "x"}, connect.ViaFacebook); err != nil {
		t.Fatal(err)
	}
	id, _ := f.finish(t, graphsim.Consent{})
	mine := func(u int64) bool { return u == f.city.ID }
	res, err := f.svc.Connect(ctx, id, admin, []connect.Pick{{PageID: pageID, FBUnit: f.city.ID, IGUnit: f.other.ID}}, mine)
	if err != nil || len(res) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if res[0].Refusal == nil || !strings.Contains(res[0].Refusal.MessageID, "di luar wewenang Anda") {
		t.Errorf("taking over another office's channel: %+v", res[0])
	}
	if res[1].Refusal == nil || !strings.Contains(res[1].Refusal.MessageID, "bukan kantor Anda") {
		t.Errorf("connecting into another office: %+v", res[1])
	}
	if c, _ := f.orgs.ChannelByExternalID(ctx, org.Facebook, pageID); c.UnitID != f.other.ID {
		t.Errorf("the channel moved to %d", c.UnitID)
	}
}
