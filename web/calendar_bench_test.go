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
	_, approverToken, err := users.CreateUser(ctx, "approver", top.ID, auth.RoleApprover)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC)
	sched := scheduler.NewService(db, orgs, scheduler.ServiceOptions{Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
	author := auth.Principal{UserID: editor.ID, Name: editor.Name, UnitID: city.ID, Role: auth.RoleEditor}
	month := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)
	const posts = 1000
	for i := range posts {
		at := month.Add(time.Duration(i) * (30 * 24 * time.Hour / posts))
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
	get := func(path string) string {
		b.Helper()
		res, err := client.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			b.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body)
		}
		return string(body)
	}
	m := csrfRE.FindStringSubmatch(get("/signin"))
	if m == nil {
		b.Fatal("no csrf field on the sign-in page")
	}
	res, err := client.PostForm(srv.URL+"/signin", url.Values{"csrf": {m[1]}, "token": {approverToken}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %d", res.StatusCode)
	}

	for _, page := range []struct{ name, path, want string }{
		{"calendar", "/calendar?view=month&date=2026-03-15", "Sosialisasi tahapan pemilu #999"},
		{"list", "/posts?from=2026-03-01&to=2026-03-31", "Sosialisasi tahapan pemilu #500"},
	} {
		b.Run(page.name, func(b *testing.B) {
			if body := get(page.path); !strings.Contains(body, page.want) {
				b.Fatalf("%s lacks %q", page.path, page.want)
			}
			count.Reset()
			for b.Loop() {
				get(page.path)
			}
			b.ReportMetric(float64(count.Load())/float64(b.N), "queries/op")
		})
	}
}
