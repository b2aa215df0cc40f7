package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store/storetest"
)

// BenchmarkMonthView1000 is the month calendar and the post list of a
// month with 1,000 posts (two channels each), seen by an approver of the
// unit above the posts' unit: the SQL statements each page runs
// (queries/op, counted by a wrapping driver) and its time.
//
//	go test -run '^$' -bench MonthView1000 -benchtime 20x ./web
func BenchmarkMonthView1000(b *testing.B) {
	mv := newMonthView(b, 1000)
	for _, page := range []struct{ name, path, want string }{
		{"calendar", "/calendar?view=month&date=2026-03-15", "Sosialisasi tahapan pemilu #999"},
		{"list", "/posts?from=2026-03-01&to=2026-03-31", "Sosialisasi tahapan pemilu #500"},
	} {
		b.Run(page.name, func(b *testing.B) {
			if body := mv.get(b, page.path); !strings.Contains(body, page.want) {
				b.Fatalf("%s lacks %q", page.path, page.want)
			}
			mv.count.Reset()
			for b.Loop() {
				mv.get(b, page.path)
			}
			b.ReportMetric(float64(mv.count.Load())/float64(b.N), "queries/op")
		})
	}
}

// TestMonthViewQueriesStayFlat: the calendar and the list run the same
// number of SQL statements for 20 posts as for 80: no statement per post
// (deliveries load in one query, the approver's units are read once).
func TestMonthViewQueriesStayFlat(t *testing.T) {
	var perPage [2][2]int64
	for i, n := range []int{20, 80} {
		mv := newMonthView(t, n)
		for j, path := range []string{"/calendar?view=month&date=2026-03-15", "/posts?from=2026-03-01&to=2026-03-31"} {
			mv.get(t, path)
			mv.count.Reset()
			mv.get(t, path)
			perPage[i][j] = mv.count.Load()
		}
	}
	for j, page := range []string{"calendar", "list"} {
		if perPage[0][j] != perPage[1][j] || perPage[1][j] > 30 {
			t.Errorf("%s: %d statements for 20 posts, %d for 80; want the same, at most 30", page, perPage[0][j], perPage[1][j])
		}
	}
}

// monthView is a month with n posts (two channels each) of a city unit,
// seen by an approver of the province above it, over a SQLite handle
// that counts statements.
type monthView struct {
	srv    *httptest.Server
	client *http.Client
	count  *storetest.Counter
}

func (mv *monthView) get(tb testing.TB, path string) string {
	tb.Helper()
	res, err := mv.client.Get(mv.srv.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body)
	}
	return string(body)
}

func newMonthView(b testing.TB, posts int) *monthView {
	b.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	db, count := storetest.CountingSQLite(b)
	key := make([]byte, 32)
	orgs := org.NewStore(db, key)
	users := auth.NewStore(db)
	top, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province",
		Timezone: "Asia/Jakarta", RequiresApproval: true})
	if err != nil {
		b.Fatal(err)
	}
	city, err := orgs.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", ParentID: top.ID,
		Timezone: "Asia/Jakarta", RequiresApproval: true})
	if err != nil {
		b.Fatal(err)
	}
	var chans []int64
	for i, pl := range []string{org.Facebook, org.Instagram} {
		c, err := orgs.CreateChannel(ctx, org.ChannelInput{UnitID: city.ID, Platform: pl, ExternalID: fmt.Sprint(1000 + i),
			Name: "Salatiga " + pl, AccessToken: "tok"})
		if err != nil {
			b.Fatal(err)
		}
		chans = append(chans, c.ID)
	}
	editor, _, err := users.CreateUser(ctx, "editor", city.ID, auth.RoleEditor)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := users.CreateUser(ctx, "approver", top.ID, auth.RoleApprover); err != nil {
		b.Fatal(err)
	}
	if err := users.SetPassword(ctx, "approver", testPassword(auth.RoleApprover)); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC)
	sched := scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
	author := auth.Principal{UserID: editor.ID, Name: editor.Name, UnitID: city.ID, Role: auth.RoleEditor}
	month := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	for i := range posts {
		at := month.Add(time.Duration(i) * (30 * 24 * time.Hour / time.Duration(posts)))
		if _, err := sched.CreatePost(ctx, author, scheduler.Draft{Caption: fmt.Sprintf("Sosialisasi tahapan pemilu #%d", i),
			ContentType: "photo", Classification: scheduler.Classification{Level: "public"}, Channels: chans,
			Media: []scheduler.Media{{URL: "https://example.org/p.jpg", Type: "image"}}, ScheduledAt: at}, false); err != nil {
			b.Fatalf("post %d: %v", i, err)
		}
	}
	eng := gin.New()
	if _, err := Mount(eng, Deps{SQL: db, Auth: users, Org: orgs, Posts: NewSchedulerPosts(sched, users), Scope: sched,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(eng)
	b.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	mv := &monthView{srv: srv, client: client, count: count}
	m := csrfRE.FindStringSubmatch(mv.get(b, "/signin"))
	if m == nil {
		b.Fatal("no csrf field on the sign-in page")
	}
	res, err := client.PostForm(srv.URL+"/signin", url.Values{"csrf": {m[1]}, "username": {"approver"}, "password": {testPassword(auth.RoleApprover)}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %d", res.StatusCode)
	}

	return mv
}
