package scheduler_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/notify"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
)

// told records what the scheduler asked to tell (the notify package's own
// tests cover storing and emailing).
type told struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (r *told) Notify(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// take returns and forgets the messages of kind.
func (r *told) take(kind string) []notify.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out, rest []notify.Message
	for _, m := range r.msgs {
		if m.Kind == kind {
			out = append(out, m)
		} else {
			rest = append(rest, m)
		}
	}
	r.msgs = rest
	return out
}

type people struct {
	as *auth.Store
}

func (p people) Users(ctx context.Context) ([]auth.User, error) { return p.as.Users(ctx) }

// withNotices adds people around the test unit (a second approver, an
// admin, a PPID officer, an approver of another office) and records what
// the scheduler tells.
func withNotices(t *testing.T, e *env) (*told, map[string]auth.Principal) {
	t.Helper()
	ctx := context.Background()
	as := auth.NewStore(e.db)
	other, err := e.org.CreateUnit(ctx, org.Unit{Name: "KPU Kabupaten Semarang", Slug: "kpu-semarang", Level: "city", RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := map[string]auth.Principal{"editor": e.editor, "approver": e.approver}
	for _, u := range []struct {
		name string
		unit int64
		role auth.Role
	}{{"approver2", e.unit.ID, auth.RoleApprover}, {"admin", e.unit.ID, auth.RoleAdmin}, {"ppid", e.unit.ID, auth.RolePPID},
		{"approver.semarang", other.ID, auth.RoleApprover}} {
		_, tok, err := as.CreateUser(ctx, u.name, u.unit, u.role)
		if err != nil {
			t.Fatal(err)
		}
		if ps[u.name], err = as.Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	r := &told{}
	e.svc.UseNotifier(r, people{as})
	return r, ps
}

func ids(ps ...auth.Principal) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.UserID)
	}
	slices.Sort(out)
	return out
}

func sorted(v []int64) []int64 { v = slices.Clone(v); slices.Sort(v); return v }

// Submitting tells the approvers who may approve the post (not those of
// another office, nor the PPID or the admin); approving tells the writer;
// a rejection tells the writer with the reason, which the post keeps.
func TestNoticesOfApproval(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	r, ps := withNotices(t, e)
	ctx := context.Background()
	c := e.page("100")
	at := time.Now().Add(48 * time.Hour)
	p, err := e.svc.CreatePost(ctx, e.editor, textDraft("Rapat pleno terbuka rekapitulasi suara", at, c.ID), true)
	if err != nil {
		t.Fatal(err)
	}
	sub := r.take(notify.KindSubmitted)
	if len(sub) != 1 || !slices.Equal(sorted(sub[0].To), ids(ps["approver"], ps["approver2"])) {
		t.Fatalf("submitted told %+v", sub)
	}
	if !strings.Contains(sub[0].TitleID, "menunggu persetujuan Anda") || !strings.Contains(sub[0].BodyID, "Rapat pleno terbuka") ||
		!strings.Contains(sub[0].BodyID, "KPU Kota Salatiga") || sub[0].Link == "" {
		t.Errorf("submitted message %+v", sub[0])
	}
	if _, err := e.svc.Approve(ctx, e.approver, p.ID, scheduler.Review{Version: p.Version}); err != nil {
		t.Fatal(err)
	}
	ok := r.take(notify.KindApproved)
	if len(ok) != 1 || !slices.Equal(ok[0].To, []int64{e.editor.UserID}) || !strings.Contains(ok[0].TitleID, "disetujui oleh approver") {
		t.Fatalf("approved told %+v", ok)
	}

	q, err := e.svc.CreatePost(ctx, e.editor, textDraft("Foto kegiatan sosialisasi", at, c.ID), true)
	if err != nil {
		t.Fatal(err)
	}
	r.take(notify.KindSubmitted)
	q, err = e.svc.Reject(ctx, ps["approver2"], q.ID, scheduler.Review{Version: q.Version, Reason: "Foto buram; ganti dengan foto yang jelas"})
	if err != nil {
		t.Fatal(err)
	}
	if q.State != scheduler.StateRejected || q.RejectedReason != "Foto buram; ganti dengan foto yang jelas" || q.RejectedBy != ps["approver2"].UserID || q.RejectedAt == nil {
		t.Errorf("rejected post %s %q %d %v", q.State, q.RejectedReason, q.RejectedBy, q.RejectedAt)
	}
	no := r.take(notify.KindRejected)
	if len(no) != 1 || !slices.Equal(no[0].To, []int64{e.editor.UserID}) || !strings.Contains(no[0].BodyID, "Alasan: Foto buram") ||
		!strings.Contains(no[0].BodyEN, "Reason: Foto buram") {
		t.Fatalf("rejected told %+v", no)
	}
	// Fixed and submitted again: the approvers hear of it again.
	d := textDraft("Foto kegiatan sosialisasi (foto baru)", at, c.ID)
	if _, err := e.svc.UpdatePost(ctx, e.editor, q.ID, d); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(ctx, e.editor, q.ID); err != nil {
		t.Fatal(err)
	}
	if sub := r.take(notify.KindSubmitted); len(sub) != 1 || len(sub[0].To) != 2 {
		t.Errorf("resubmitted told %+v", sub)
	}
}

// Where the PPID classifies, submitting tells the PPID officer; once the
// classification is confirmed, the approvers.
func TestNoticesWaitForThePPID(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	r, ps := withNotices(t, e)
	ctx := context.Background()
	ppid := org.ClassifiedByPPID
	if _, err := e.org.UpdateUnit(ctx, e.unit.ID, org.UnitPatch{ClassificationBy: &ppid}); err != nil {
		t.Fatal(err)
	}
	c := e.page("100")
	p, err := e.svc.CreatePost(ctx, e.editor, textDraft("Jadwal pemutakhiran data pemilih", time.Now().Add(48*time.Hour), c.ID), true)
	if err != nil {
		t.Fatal(err)
	}
	sub := r.take(notify.KindSubmitted)
	if len(sub) != 1 || !slices.Equal(sub[0].To, []int64{ps["ppid"].UserID}) || !strings.Contains(sub[0].TitleID, "klasifikasi") {
		t.Fatalf("submitted told %+v", sub)
	}
	if _, err := e.svc.Classify(ctx, ps["ppid"], p.ID, scheduler.ClassifyInput{Version: p.Version,
		Classification: scheduler.Classification{Level: scheduler.Public, Category: scheduler.CategoryPeriodic}}); err != nil {
		t.Fatal(err)
	}
	sub = r.take(notify.KindSubmitted)
	if len(sub) != 1 || !slices.Equal(sorted(sub[0].To), ids(ps["approver"], ps["approver2"])) {
		t.Fatalf("after the classification told %+v", sub)
	}
}

// A delivery that fails tells its writer and approver what to do; the
// channel's admins hear once that it needs reconnecting, not again at the
// next check.
func TestNoticesOfFailureAndChannel(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, scheduler.PublisherOptions{})
	r, ps := withNotices(t, e)
	ctx := context.Background()
	c := e.page("100")
	p := e.scheduled(textDraft("Pengumuman hasil rekapitulasi", time.Now().Add(-time.Second), c.ID))
	if err := e.sim.ExpireToken("tok-100", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.drain(5)
	if got := e.post(p.ID); got.State != scheduler.StateFailed {
		t.Fatalf("post %s", got.State)
	}
	failed := r.take(notify.KindFailed)
	if len(failed) != 1 || !slices.Equal(sorted(failed[0].To), ids(e.editor, e.approver)) {
		t.Fatalf("failed told %+v", failed)
	}
	if !strings.Contains(failed[0].BodyID, "Yang perlu dilakukan: Hubungkan ulang kanal") || !strings.Contains(failed[0].TitleID, "gagal terbit di Page 100 (Facebook)") {
		t.Errorf("failed message %+v", failed[0])
	}
	ch := r.take(notify.KindChannel)
	if len(ch) != 1 || !slices.Equal(ch[0].To, []int64{ps["admin"].UserID}) || !strings.Contains(ch[0].TitleID, "perlu dihubungkan ulang") {
		t.Fatalf("channel told %+v", ch)
	}
	for range 2 {
		if err := e.pub.CheckTokens(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if again := r.take(notify.KindChannel); len(again) != 0 {
		t.Errorf("told again at later checks: %+v", again)
	}
}

// The daily check tells the admins once that a token expires within 7
// days, and once that another lacks permissions, naming them; a check
// that finds a token complete again makes its channel usable.
func TestNoticesOfExpiringAndMissing(t *testing.T) {
	e := newEnv(t, graphsim.Options{AppID: "app", AppSecret: "appsecret"}, scheduler.PublisherOptions{})
	r, ps := withNotices(t, e)
	ctx := context.Background()
	c := e.page("100")
	if err := e.sim.ExpireToken("tok-100", time.Now().Add(3*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddPage("200", "Page 200", "tok-200", "pages_show_list", "pages_read_engagement", "read_insights",
		"pages_read_user_content", "pages_manage_engagement"); err != nil {
		t.Fatal(err)
	}
	c2, err := e.org.CreateChannel(ctx, org.ChannelInput{UnitID: e.unit.ID, Platform: org.Facebook, ExternalID: "200", Name: "Page 200", AccessToken: "tok-200"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.pub.CheckTokens(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := r.take(notify.KindChannel)
	if len(got) != 2 {
		t.Fatalf("told %d times, want once per channel: %+v", len(got), got)
	}
	for _, m := range got {
		if !slices.Equal(m.To, []int64{ps["admin"].UserID}) {
			t.Errorf("told %v", m.To)
		}
		switch {
		case strings.Contains(m.Link, "channel-"+strconv.FormatInt(c.ID, 10)):
			if !strings.Contains(m.TitleID, "kedaluwarsa") {
				t.Errorf("expiring: %+v", m)
			}
		case strings.Contains(m.Link, "channel-"+strconv.FormatInt(c2.ID, 10)):
			if !strings.Contains(m.TitleID, "izin kurang (pages_manage_posts)") {
				t.Errorf("missing: %+v", m)
			}
		default:
			t.Errorf("message of no channel: %+v", m)
		}
	}
	h, _ := e.org.Channel(ctx, c2.ID)
	if s := h.Health(time.Now()); s.State != org.HealthMissing || !slices.Equal(s.Missing, []string{"pages_manage_posts"}) {
		t.Errorf("health %+v", s)
	}
	// The Page's admin grants the permission to the token after all.
	if err := e.org.SetTokenHealth(ctx, c2.ID, org.TokenHealth{CheckedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddToken("tok-200b", "200", time.Time{}); err != nil {
		t.Fatal(err)
	}
	tok := "tok-200b"
	if _, err := e.org.UpdateChannel(ctx, c2.ID, org.ChannelPatch{AccessToken: &tok}); err != nil {
		t.Fatal(err)
	}
	checked, err := scheduler.NewTokenChecks(e.svc, e.graph).Check(ctx, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := checked.Health(time.Now()); s.State != org.HealthOK || checked.Status != org.StatusActive {
		t.Errorf("after a complete token: %s %s", s.State, checked.Status)
	}
}
