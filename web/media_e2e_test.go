package web

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/media/mediatest"
	"github.com/humas-id/humas/media/mp4/mp4test"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/scheduler"
)

// TestMediaInChromium is issue 16's acceptance: an editor drops a PNG and
// an MP4 from disk onto the compose page (the file input's files set as a
// drop would), sees both uploaded with progress and previewed for each
// network, is told at once that a Facebook post takes one video or photos
// only, removes the video and submits the photo with its own Instagram
// caption; a second post uses the video from the library. An approver
// approves both; the publishing loop publishes them through the
// simulator, which received the photo and the video as bytes for Facebook
// (multipart source, and the Reel's body) and fetched JPEG and MP4 from
// humas's signed public URLs for Instagram. Screenshots of compose with
// media, the previews and the library go to the artifacts folder.
func TestMediaInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := newStack(t, ctx)
	web, sim, clock := st.web, st.sim, st.clock
	art := artifactsDir(t)

	// The files on the staffer's disk: a PNG poster and a short vertical
	// video (a real H.264 clip when ffmpeg is here, as in CI).
	dir := t.TempDir()
	pngPath := filepath.Join(dir, "poster-sosialisasi.png")
	if err := os.WriteFile(pngPath, mediatest.PNG(1200, 900, true), 0o600); err != nil {
		t.Fatal(err)
	}
	mp4Path := filepath.Join(dir, "reels-pemilih-pemula.mp4")
	if ff, err := exec.LookPath("ffmpeg"); err == nil {
		mp4Path = mediatest.RealMP4(t, ff, dir, 360, 640, 4)
		_ = os.Rename(mp4Path, filepath.Join(dir, "reels-pemilih-pemula.mp4"))
		mp4Path = filepath.Join(dir, "reels-pemilih-pemula.mp4")
	} else {
		if err := os.WriteFile(mp4Path, mp4test.Bytes(mp4test.Spec{Width: 360, Height: 640, Seconds: 4, AudioCodec: "mp4a", MdatBytes: 64 << 10}), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	bctx, stop := startChromium(t, chromium)
	defer stop()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 90*time.Second)
		defer cancel()
		for i, s := range steps {
			if err := chromedp.Do(sctx, s); err != nil {
				t.Fatalf("%s, step %d: %v", what, i, err)
			}
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	waitJS := func(what, js string) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if eval(js) == "true" {
				return
			}
		}
		t.Fatalf("%s: %s never became true", what, js)
	}
	text := func(sel string) string {
		t.Helper()
		return eval(`(document.querySelector(` + strconv.Quote(sel) + `) || {textContent: ""}).textContent`)
	}
	// Screenshots at desktop and phone widths, without reloading (the
	// page's state is the script's).
	shots := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if sw, err := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || sw > w {
				t.Errorf("%s at %d px is %d px wide: it scrolls sideways (%v)", name, w, sw, err)
			}
			b, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(art, name+"-"+strconv.FormatInt(w, 10)+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = chromedp.Call(bctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	}
	signin := func(tok string) {
		do("sign in", append(signinSteps(web.URL, st.names[tok], fixedPassword), chromedp.WaitVisible(chromedp.CSS("#cal-heading")))...)
	}
	fb, ig := strconv.FormatInt(st.cityFB.ID, 10), strconv.FormatInt(st.cityIG.ID, 10)
	loc := st.city.Location()
	at := clock.Now().In(loc).Add(25 * time.Minute).Truncate(time.Minute)
	compose := func() {
		do("compose",
			chromedp.Navigate(web.URL+"/posts/new"),
			chromedp.WaitVisible(chromedp.CSS("#dropzone")),
			chromedp.Click(chromedp.CSS("#ch-"+fb)), chromedp.Click(chromedp.CSS("#ch-"+ig)),
			chromedp.SetValue(chromedp.CSS("#date"), at.Format("2006-01-02")),
			chromedp.SetValue(chromedp.CSS("#time"), at.Format("15:04")))
	}

	// 1. The editor drops a PNG and an MP4.
	signin(st.editorTok)
	compose()
	shared := "Ayo kenali tahapan Pemilu 2029 bersama KPU Kota Salatiga. Info lengkap di kpu-salatiga.go.id"
	igCaption := "Ayo kenali tahapan Pemilu 2029! Info lengkap: tautan di bio. #Pemilu2029 #KPUSalatiga"
	do("drop two files",
		chromedp.SetValue(chromedp.CSS("#content_type"), "photo"),
		chromedp.SendKeys(chromedp.CSS("#caption"), shared),
		chromedp.SetUploadFiles(chromedp.CSS("#media-files"), []string{pngPath, mp4Path}))
	waitJS("both uploaded", `String(document.querySelectorAll("#media-chosen li.media-card").length === 2)`)
	// Pressing Enter in a one-line field does not send the form.
	eval(`window.stillHere = "yes"; "ok"`)
	do("enter in the campaign field", chromedp.SendKeys(chromedp.CSS("#campaign"), "Sosialisasi\r"))
	time.Sleep(time.Second)
	if got := eval(`String(window.stillHere) + " " + location.pathname`); got != "yes /posts/new" {
		t.Fatalf("Enter in a one-line field sent the form (%s)", got)
	}
	do("per-network caption", chromedp.Click(chromedp.CSS("#per-network summary")),
		chromedp.SendKeys(chromedp.CSS("#caption_instagram"), igCaption))
	// Both previews show both files: the photo converted to JPEG, the video playable.
	waitJS("previews", `String(!!document.querySelector("#net-preview .pv-facebook .pv-media img") && !!document.querySelector("#net-preview .pv-facebook .pv-media video") && !!document.querySelector("#net-preview .pv-instagram .frame img, #net-preview .pv-instagram .frame video"))`)
	if got := text("#net-preview .pv-instagram .pv-text"); !strings.Contains(got, "#Pemilu2029") {
		t.Errorf("Instagram preview caption %q: want its own caption", got)
	}
	if got := text("#net-preview .pv-facebook .pv-text"); !strings.Contains(got, "kpu-salatiga.go.id") {
		t.Errorf("Facebook preview caption %q: want the shared caption", got)
	}
	if got := text("#net-preview .pv-instagram .pv-dots"); !strings.Contains(got, "1/2") {
		t.Errorf("carousel order %q", got)
	}
	chosen := text("#media-chosen")
	for _, want := range []string{"poster-sosialisasi.png", "1.200 × 900 px", "reels-pemilih-pemula.mp4", "360 × 640 px", "0:04"} {
		if !strings.Contains(chosen, want) {
			t.Errorf("chosen media lack %q:\n%s", want, chosen)
		}
	}
	// The uploads finish in either order: find each by its kind.
	byKind := func(kind string) string {
		return eval(`Array.from(document.querySelectorAll("#media-chosen li.media-card")).find(li => JSON.parse(li.dataset.card).kind === "` + kind + `").dataset.id`)
	}
	videoID, photoID := byKind("video"), byKind("image")
	shots("compose-media")
	b, err := chromedp.Run(bctx, chromedp.Screenshot(chromedp.CSS("#net-preview")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "compose-previews.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}

	// 2. Facebook takes one video or photos only: said beside the media,
	// with nothing lost.
	do("submit both", chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("#media-err")))
	if got := text("#media-err"); !strings.Contains(got, "Facebook berisi satu video, atau foto saja") {
		t.Fatalf("media error %q", got)
	}
	if n := eval(`String(document.querySelectorAll("#media-chosen li.media-card").length)`); n != "2" {
		t.Fatalf("after the refusal the form holds %s media, want both", n)
	}
	if got := eval(`document.getElementById("caption_instagram").value`); got != igCaption {
		t.Fatalf("the Instagram caption was lost: %q", got)
	}
	do("remove the video", chromedp.Click(chromedp.CSS(`#media-chosen li[data-id="`+videoID+`"] button.remove`)),
		chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	photoPost := postIDFromURL(t, bctx, web.URL)

	// 3. A second post takes the video from the library.
	compose()
	do("pick from the library",
		chromedp.SetValue(chromedp.CSS("#content_type"), "video"),
		chromedp.SendKeys(chromedp.CSS("#caption"), "Pemilih pemula, yuk cek DPT! #Pemilu2029"),
		chromedp.Click(chromedp.CSS("#library-picker summary")),
		chromedp.Click(chromedp.CSS(`#library-picker li[data-id="`+videoID+`"] button.use`)))
	waitJS("video chosen", `String(!!document.querySelector('#media-chosen li[data-id="`+videoID+`"]') && !!document.querySelector("#net-preview .pv-instagram .frame video"))`)
	do("submit the video", chromedp.Click(chromedp.CSS("button[name=submit][value='1']")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	videoPost := postIDFromURL(t, bctx, web.URL)

	// The library lists both, with who uploaded them and the posts using them.
	do("library", chromedp.Navigate(web.URL+"/media"), chromedp.WaitVisible(chromedp.CSS("#media-"+videoID)))
	lib := text("#library")
	for _, want := range []string{"editor.salatiga", "kiriman #" + photoPost, "kiriman #" + videoPost, "diubah menjadi JPEG", "0:04"} {
		if !strings.Contains(lib, want) {
			t.Errorf("library page lacks %q:\n%s", want, lib)
		}
	}
	if broken := eval(`String(Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).length)`); broken != "0" {
		t.Errorf("%s broken images on the library page", broken)
	}
	shots("media-library")
	do("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#password")))

	// 4. Another user approves both.
	signin(st.approverTok)
	for _, id := range []string{photoPost, videoPost} {
		do("approve "+id, chromedp.Navigate(web.URL+"/approvals"), chromedp.WaitVisible(chromedp.CSS("#post-"+id)),
			chromedp.Click(chromedp.CSS("form[action='/approvals/"+id+"/approve'] button")), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	}

	// 5. Time passes; the publishing loop publishes both posts.
	admin := auth.Principal{Role: auth.RoleAdmin}
	states := func() (string, string) {
		p1, _ := strconv.ParseInt(photoPost, 10, 64)
		p2, _ := strconv.ParseInt(videoPost, 10, 64)
		a, err1 := st.sched.Post(ctx, admin, p1)
		b, err2 := st.sched.Post(ctx, admin, p2)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return a.State, b.State
	}
	var s1, s2 string
	for i := 0; i < 90; i++ {
		if s1, s2 = states(); (s1 == scheduler.StatePublished || s1 == scheduler.StateFailed) && (s2 == scheduler.StatePublished || s2 == scheduler.StateFailed) {
			break
		}
		clock.Advance(time.Minute)
		time.Sleep(700 * time.Millisecond)
	}
	if s1 != scheduler.StatePublished || s2 != scheduler.StatePublished {
		p1, _ := strconv.ParseInt(photoPost, 10, 64)
		p2, _ := strconv.ParseInt(videoPost, 10, 64)
		a, _ := st.sched.Post(ctx, admin, p1)
		b, _ := st.sched.Post(ctx, admin, p2)
		t.Fatalf("posts %s (%s, %+v) and %s (%s, %+v): want both published", photoPost, s1, deliveryErrs(a), videoPost, s2, deliveryErrs(b))
	}

	// 6. What Meta received.
	pid, _ := strconv.ParseInt(photoID, 10, 64)
	vid, _ := strconv.ParseInt(videoID, 10, 64)
	items, err := st.lib.Items(ctx, []int64{pid, vid})
	if err != nil {
		t.Fatal(err)
	}
	photo, video := items[pid], items[vid]
	var fbPhoto, fbVideo bool
	for _, u := range sim.Uploads() {
		if u.ObjectID == st.cityFB.ExternalID && u.Multipart && u.Field == "source" && u.Type == "image/jpeg" && u.SHA256 == photo.SHA256 {
			fbPhoto = true
		}
		if u.Type == "video/mp4" && u.SHA256 == video.SHA256 && u.Size == video.Size {
			fbVideo = true
		}
	}
	if !fbPhoto || !fbVideo {
		t.Errorf("Facebook got the photo as multipart bytes: %v, the video as bytes: %v; uploads %+v", fbPhoto, fbVideo, sim.Uploads())
	}
	var igPhoto, igVideo bool
	for _, f := range sim.Fetches() {
		if !strings.HasPrefix(f.URL, web.URL+"/m/") || f.Status != 200 {
			continue
		}
		if f.Type == "image/jpeg" && f.SHA256 == photo.SHA256 {
			igPhoto = true
		}
		if f.Type == "video/mp4" && f.SHA256 == video.SHA256 {
			igVideo = true
		}
	}
	if !igPhoto || !igVideo {
		t.Errorf("Instagram fetched the JPEG from humas's public URL: %v, the MP4: %v; fetches %+v", igPhoto, igVideo, sim.Fetches())
	}
	if n := sim.CountText(st.cityIG.ExternalID, igCaption); n != 1 {
		t.Errorf("Instagram holds its own caption %d times, want once", n)
	}
	if n := sim.CountText(st.cityFB.ExternalID, shared); n != 1 {
		t.Errorf("Facebook holds the shared caption %d times, want once", n)
	}
	var reel bool
	for _, it := range sim.Published(st.cityFB.ExternalID) {
		reel = reel || strings.Contains(it.Text, "cek DPT")
	}
	if !reel {
		t.Error("the video post is not on the Facebook Page")
	}
	_ = graphsim.Upload{}
	_ = bytes.MinRead
	_ = media.KindImage
	t.Logf("screenshots in %s: compose-media-{1280,375}.png, compose-previews.png, media-library-{1280,375}.png", art)
}

func postIDFromURL(t *testing.T, bctx context.Context, base string) string {
	t.Helper()
	u, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.Split(u, "?")[0], base+"/posts/")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		t.Fatalf("not on a post page: %s", u)
	}
	return id
}

func deliveryErrs(p scheduler.Post) []string {
	var out []string
	for _, d := range p.Deliveries {
		s := d.Platform + ":" + d.Status
		if d.Error != nil {
			s += ":" + d.Error.Message
		}
		out = append(out, s)
	}
	return out
}
