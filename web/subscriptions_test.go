package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/notify/mail"
	"github.com/humas-id/humas/notify/mail/mailtest"
	"github.com/humas-id/humas/reportmail"
)

// TestSubscriptionsPage: a division head subscribes people to the unit's
// report, sees each delivery (sent, retried, failed) and sends a failed
// one again; an editor may not.
func TestSubscriptionsPage(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	var svc *reportmail.Service
	e := newEnv(t, envOpts{reports: &fakeReports{}, subs: func(e *env) *reportmail.Service {
		svc = reportmail.New(e.db, &fakeReports{}, sender, reportmail.Options{Now: func() time.Time { return now },
			Logger: slog.New(slog.DiscardHandler)})
		return svc
	}})
	wib, _ := time.LoadLocation("Asia/Jakarta")
	now = time.Date(2026, 11, 20, 10, 0, 0, 0, wib)
	b := e.browser()
	csrf := b.signin(auth.RoleViewer)
	page := b.get("/report/subscriptions")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Laporan terjadwal lewat email", "Belum ada penerima.", "Belum ada pengiriman.")
	// A bad address: 422 beside the field, the form kept.
	bad := b.post("/report/subscriptions", url.Values{"csrf": {csrf}, "unit": {itoa(e.unit.ID)}, "email": {"kepala-salatiga"},
		"name": {"Kepala"}, "frequency": {"monthly"}, "lang": {"id"}})
	mustStatus(t, bad, http.StatusUnprocessableEntity)
	mustContain(t, bad.Body, `id="email-err"`, "bukan alamat email", `value="kepala-salatiga"`)
	ok := b.post("/report/subscriptions", url.Values{"csrf": {csrf}, "unit": {itoa(e.unit.ID)}, "email": {"kepala@salatiga.kpu.test"},
		"name": {"Kepala Divisi"}, "frequency": {"monthly"}, "lang": {"id"}})
	mustStatus(t, ok, http.StatusSeeOther)
	page = b.get(ok.Header.Get("Location"))
	mustContain(t, page.Body, "Penerima didaftarkan.", "kepala@salatiga.kpu.test", "Kepala Divisi", "Bulanan")

	// The first working day of December: sent, and listed as sent.
	now = time.Date(2026, 12, 1, 8, 0, 0, 0, wib)
	if st, err := svc.Run(context.Background()); err != nil || st.Sent != 1 {
		t.Fatalf("run: %+v %v", st, err)
	}
	m := srv.Wait(t, 1, 5*time.Second)[0]
	if len(m.Attachments) != 2 || !strings.Contains(m.Subject, "November 2026") {
		t.Errorf("mail %q with %d attachments", m.Subject, len(m.Attachments))
	}
	page = b.get("/report/subscriptions")
	mustContain(t, page.Body, "2026-11", `class="st st-dl-sent">Terkirim`, "terkirim 1 Des 2026 08.00 WIB")

	// A delivery that failed for good can be sent again from the page.
	ds, _ := svc.Deliveries(context.Background(), nil, 10)
	if _, err := e.db.DB.Exec(`UPDATE report_deliveries SET status = 'failed', last_error = '451 busy' WHERE id = ?`, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	page = b.get("/report/subscriptions")
	mustContain(t, page.Body, `class="st st-dl-failed">Gagal`, "451 busy", `action="/report/deliveries/`+itoa(ds[0].ID)+`/retry"`)
	r := b.post("/report/deliveries/"+itoa(ds[0].ID)+"/retry", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.get(r.Header.Get("Location")).Body, "Pengiriman dijadwalkan ulang.", `class="st st-dl-pending">Menunggu`)
	mustStatus(t, b.post("/report/deliveries/"+itoa(ds[0].ID)+"/retry", url.Values{"csrf": {csrf}}), http.StatusConflict)

	// Remove the subscriber.
	subs, _ := svc.Subscriptions(context.Background(), nil)
	r = b.post("/report/subscriptions/"+itoa(subs[0].ID)+"/delete", url.Values{"csrf": {csrf}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.get(r.Header.Get("Location")).Body, "Penerima dihapus.", "Belum ada penerima.")

	// An editor may not manage subscriptions; without CSRF nothing changes.
	ed := e.browser()
	ed.signin(auth.RoleEditor)
	mustStatus(t, ed.get("/report/subscriptions"), http.StatusForbidden)
	mustStatus(t, b.post("/report/subscriptions", url.Values{"email": {"x@y.test"}, "unit": {itoa(e.unit.ID)}}), http.StatusForbidden)
}

func pngOf(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: 200, G: uint8(x), B: 40, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartPost posts a form with an optional file field.
func (b *browser) multipartPost(path string, fields map[string]string, file string, data []byte) resp {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("logo", file)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(raw), Header: r.Header}
}

// TestLetterheadPage: an admin sets the office's address, signatory and
// logo; the logo is checked by content and served to signed-in users.
func TestLetterheadPage(t *testing.T) {
	e := newEnv(t, envOpts{reports: &fakeReports{}})
	b := e.browser()
	csrf := b.signin(auth.RoleAdmin)
	page := b.get("/settings/letterhead")
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Kop surat: KPU Kota Salatiga", `enctype="multipart/form-data"`, `name="logo"`, "PNG atau JPEG, paling besar 512 KiB")
	fields := map[string]string{"csrf": csrf, "unit": itoa(e.unit.ID), "address": "Jl. Diponegoro No. 1, Salatiga 50711",
		"contact": "Telp. (0298) 321 000", "city": "Salatiga", "head_title": "Ketua KPU Kota Salatiga", "head_name": "Budi Santoso, S.H.",
		"head_id": "19751212 200003 1 002"}
	logo := pngOf(t, 96, 96)
	r := b.multipartPost("/settings/letterhead", fields, "logo.png", logo)
	mustStatus(t, r, http.StatusSeeOther)
	page = b.get(r.Header.Get("Location"))
	mustContain(t, page.Body, "Kop surat disimpan.", "Jl. Diponegoro No. 1, Salatiga 50711", `value="Budi Santoso, S.H."`,
		`<img class="logo-preview" src="/units/`+itoa(e.unit.ID)+`/logo?v=`)
	got := b.get("/units/" + itoa(e.unit.ID) + "/logo")
	mustStatus(t, got, http.StatusOK)
	if got.Header.Get("Content-Type") != "image/png" || got.Body != string(logo) {
		t.Errorf("logo served as %q, %d bytes", got.Header.Get("Content-Type"), len(got.Body))
	}
	// A GIF named .png is refused by its content, beside the field; the
	// stored logo stays.
	var g bytes.Buffer
	_ = gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black}), nil)
	r = b.multipartPost("/settings/letterhead", fields, "logo.png", g.Bytes())
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, `id="logo-err"`, "logo harus berupa gambar PNG atau JPEG")
	if again := b.get("/units/" + itoa(e.unit.ID) + "/logo"); again.Body != string(logo) {
		t.Error("a refused upload replaced the logo")
	}
	// Too long a field: 422 naming it, what was typed kept.
	fields["head_name"] = strings.Repeat("n", 201)
	r = b.multipartPost("/settings/letterhead", fields, "", nil)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r.Body, "paling banyak 200 karakter", strings.Repeat("n", 201))
	// Others: a viewer sees the logo but not the form; a visitor neither.
	v := e.browser()
	v.signin(auth.RoleViewer)
	mustStatus(t, v.get("/settings/letterhead"), http.StatusForbidden)
	mustStatus(t, v.get("/units/"+itoa(e.unit.ID)+"/logo"), http.StatusOK)
	mustStatus(t, e.browser().get("/units/"+itoa(e.unit.ID)+"/logo"), http.StatusSeeOther)
}

// fakePlatform answers posts outside humas and figures over age.
type fakePlatform struct{}

func (fakePlatform) PlatformPosts(_ context.Context, q analytics.PlatformPostsQuery) ([]analytics.PlatformPost, error) {
	return []analytics.PlatformPost{{Platform: "facebook", PostID: "1_2", ChannelName: "KPU Salatiga", ContentType: "photo",
		Caption: "Sosialisasi di pasar <Raya>", Permalink: "https://www.facebook.com/1/posts/2", Thumbnail: "https://cdn.example.org/2.jpg",
		PublishedAt: q.From.Add(26 * time.Hour)}}, nil
}

func (fakePlatform) PostAges(_ context.Context, platform, id string) (*analytics.PostAgesReport, error) {
	er := 0.05
	return &analytics.PostAgesReport{Platform: platform, PostID: id, Ages: []analytics.AgeFigures{
		{Age: "24h", Reached: true, Reach: 800, Interactions: 40, EngagementRate: &er},
		{Age: "7d", Reached: true, Reach: 1500, Interactions: 75, EngagementRate: &er},
		{Age: "28d"}, {Age: "latest", Reached: true, Reach: 1600, Interactions: 80, EngagementRate: &er}}}, nil
}

// TestCalendarShowsPostsOutsideHumas: the week and the list show what the
// Page shows, marked, linked to the live post, with its thumbnail.
func TestCalendarShowsPostsOutsideHumas(t *testing.T) {
	e := newEnv(t, envOpts{platform: fakePlatform{}})
	b := e.browser()
	b.signin(auth.RoleEditor)
	cal := b.get("/calendar?view=week&date=2026-11-18")
	mustStatus(t, cal, http.StatusOK)
	mustContain(t, cal.Body, `<li class="ext">`, `href="https://www.facebook.com/1/posts/2"`, `<img class="thumb-sm" src="https://cdn.example.org/2.jpg"`,
		"Di luar humas", "Sosialisasi di pasar &lt;Raya&gt;", "1 di luar humas")
	list := b.get("/posts")
	mustContain(t, list.Body, `id="external"`, "Unggahan di luar humas", `class="ext-link" href="https://www.facebook.com/1/posts/2"`)
	// Filtering by another state hides them.
	if strings.Contains(b.get("/posts?state=draft").Body, `id="external"`) {
		t.Error("drafts list shows posts outside humas")
	}
}

func TestAgeChart(t *testing.T) {
	rep, _ := fakePlatform{}.PostAges(context.Background(), "facebook", "1_2")
	svg := string(ageChart(L{Lang: LangID, Loc: time.UTC}, "ages-1", "KPU Salatiga", rep.Ages))
	for _, want := range []string{`role="img"`, "Angka KPU Salatiga menurut umur unggahan", "24 jam: 800 jangkauan, 40 interaksi",
		"28 hari: belum", ">1.600<", ">Kini<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("age chart lacks %q:\n%s", want, svg)
		}
	}
	if n := strings.Count(svg, `<rect class="bar`); n != 6 { // reach and interactions at 24 h, 7 d and now
		t.Errorf("%d bars, want 6", n)
	}
}
