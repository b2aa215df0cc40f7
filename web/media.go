package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
)

// The media library's pages: the library itself (/media), the upload
// endpoints the compose page's script uses (resumable: start, chunks at
// offsets, status), URL import, crop, delete, thumbnails and previews for
// signed-in staff, and the signed public links Meta fetches (/m/...).

// chunkBytes is the size of one upload chunk the script sends.
const chunkBytes = 8 << 20

// MediaCard is a library item as the pages and their script show it:
// every text already in the page's language and number format.
type MediaCard struct {
	ID       int64         `json:"id"`
	Kind     string        `json:"kind"`
	Filename string        `json:"filename"`
	Thumb    string        `json:"thumb"`
	File     string        `json:"file"`
	Width    int           `json:"width"`
	Height   int           `json:"height"`
	Duration float64       `json:"duration"`
	Size     string        `json:"size"`
	Dims     string        `json:"dims"`
	Length   string        `json:"length,omitempty"`
	Ratio    string        `json:"ratio"`
	Codec    string        `json:"codec,omitempty"`
	Notes    []string      `json:"notes"`
	Problems []ProblemView `json:"problems"`
	Uploader string        `json:"uploader,omitempty"`
	Created  string        `json:"created"`
	Uses     []UseView     `json:"uses"`
	Crop     string        `json:"crop,omitempty"`
	// Deleted: the file is gone (retention or staff); the post still
	// names it.
	Deleted bool `json:"deleted,omitempty"`
}

// ProblemView is a file's problem for a platform, in the page's language.
type ProblemView struct {
	Platform string `json:"platform"`
	Severity string `json:"severity"`
	Text     string `json:"text"`
}

// UseView is a post using a file.
type UseView struct {
	PostID int64  `json:"post_id"`
	State  string `json:"state"`
	Label  string `json:"label"`
}

func (h *Handler) card(l L, it media.Item, users map[int64]string) MediaCard {
	c := MediaCard{ID: it.ID, Kind: it.Kind, Filename: it.Filename, Thumb: fmt.Sprintf("/media/%d/thumb", it.ID),
		File: fmt.Sprintf("/media/%d/file", it.ID), Width: it.Width, Height: it.Height, Duration: it.Duration,
		Size: l.Bytes(it.Size), Ratio: media.Ratio(it.Width, it.Height), Uploader: users[it.UploadedBy], Created: l.DateTime(it.CreatedAt),
		Crop: it.Crop, Deleted: it.DeletedAt != nil, Notes: []string{}, Problems: []ProblemView{}, Uses: []UseView{}}
	if it.Width > 0 {
		c.Dims = l.Int(int64(it.Width)) + " × " + l.Int(int64(it.Height)) + " px"
	}
	if it.Kind == media.KindVideo {
		c.Length = l.Duration(it.Duration)
		c.Codec = strings.TrimSpace(strings.ToUpper(it.Container) + " · " + codecLabel(it.VideoCodec) + " · " + l.Num(it.FrameRate, 0) + " fps")
	}
	for _, n := range it.Notes {
		c.Notes = append(c.Notes, l.T("media.note."+n))
	}
	for _, p := range it.Problems {
		c.Problems = append(c.Problems, ProblemView{Platform: p.Platform, Severity: p.Severity, Text: l.Pick(p.MessageID, p.Message)})
	}
	for _, u := range it.Uses {
		c.Uses = append(c.Uses, UseView{PostID: u.PostID, State: u.State, Label: l.T("media.use", u.PostID, l.T(state(u.State)))})
	}
	return c
}

func state(s string) string { return "state." + s }

func codecLabel(fourcc string) string {
	switch fourcc {
	case "avc1", "avc3":
		return "H.264"
	case "hvc1", "hev1":
		return "HEVC"
	case "":
		return "?"
	}
	return fourcc
}

func (h *Handler) userNames(ctx context.Context) map[int64]string {
	out := map[int64]string{}
	if h.d.Users == nil {
		return out
	}
	us, err := h.d.Users.Users(ctx)
	if err != nil {
		return out
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out
}

type mediaPage struct {
	Items     []MediaCard
	CanUpload bool
	MaxUpload string
	Chunk     int
	Kind      string
}

func (h *Handler) libraryPage(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	kind := c.Query("kind")
	if kind != media.KindImage && kind != media.KindVideo {
		kind = ""
	}
	items, err := h.d.Media.List(c.Request.Context(), s.Principal, media.Filter{Kind: kind, Limit: 200})
	if err != nil {
		h.mediaError(c, err)
		return
	}
	users := h.userNames(c.Request.Context())
	d := mediaPage{CanUpload: canWrite(s.Principal), MaxUpload: l.Bytes(h.d.Media.MaxUploadBytes()), Chunk: chunkBytes, Kind: kind}
	for _, it := range items {
		d.Items = append(d.Items, h.card(l, it, users))
	}
	h.render(c, http.StatusOK, "media", h.view(c, l.T("media.title"), "media", d))
}

func canWrite(p auth.Principal) bool {
	return p.Role == auth.RoleEditor || p.Role == auth.RoleApprover || p.Role == auth.RoleAdmin
}

// wantsJSON: the page's script asks for JSON; a plain form gets a page.
func wantsJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/json")
}

// mediaJSONError answers the script with the error in the page's
// language and the status the API would give.
func (h *Handler) mediaJSONError(c *gin.Context, err error) {
	status, msg := h.mediaErrText(c, err)
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(c.Request.Context(), "media request failed", "route", c.FullPath(), "err", err)
	}
	body := gin.H{"error": msg}
	var oe *media.OffsetError
	if errors.As(err, &oe) {
		body["offset"] = oe.Expected
	}
	c.AbortWithStatusJSON(status, body)
}

func (h *Handler) mediaErrText(c *gin.Context, err error) (int, string) {
	l := h.l(c)
	var pr *media.Problem
	var tl *media.TooLargeError
	var iu *media.InUseError
	var fe *media.FetchError
	var oe *media.OffsetError
	var mbe *http.MaxBytesError
	var ae *ActionError
	switch {
	case errors.As(err, &tl):
		return http.StatusRequestEntityTooLarge, l.Pick(tl.MessageID(), tl.Error())
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, l.T("err.toolarge", byteSize(mbe.Limit))
	case errors.As(err, &pr):
		status := http.StatusUnprocessableEntity
		if pr.Code == "unsupported_type" || pr.Code == "heic" {
			status = http.StatusUnsupportedMediaType
		}
		return status, l.Pick(pr.MessageID, pr.Message)
	case errors.As(err, &iu):
		return http.StatusConflict, l.Pick(iu.MessageID(), iu.Error())
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity, l.Pick(fe.MessageID(), fe.Error())
	case errors.As(err, &oe):
		return http.StatusConflict, l.Pick(oe.MessageID(), oe.Error())
	case errors.Is(err, media.ErrNotFound):
		return http.StatusNotFound, l.T("err.notfound")
	case errors.As(mapSchedulerErr(err), &ae):
		return ae.Status, l.Pick(ae.MessageID, ae.Message)
	}
	return http.StatusInternalServerError, l.T("err.internal")
}

func (h *Handler) mediaError(c *gin.Context, err error) {
	status, msg := h.mediaErrText(c, err)
	if status == http.StatusInternalServerError {
		h.fail(c, err)
		return
	}
	h.errorPage(c, status, msg)
}

// answerItem answers an upload, import or crop: the card as JSON for the
// script, or back to the library with a message.
func (h *Handler) answerItem(c *gin.Context, it media.Item) {
	if wantsJSON(c) {
		c.JSON(http.StatusCreated, h.card(h.l(c), it, h.userNames(c.Request.Context())))
		return
	}
	c.Redirect(http.StatusSeeOther, "/media?ok=media.uploaded&n="+strconv.FormatInt(it.ID, 10))
}

func (h *Handler) extendDeadlines(c *gin.Context) {
	d := h.d.UploadTimeout
	if d <= 0 {
		d = 30 * time.Minute
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(d))
	_ = rc.SetWriteDeadline(time.Now().Add(d))
}

// uploadForm takes files from a plain multipart form (the library page
// without script) or the script, streamed: the CSRF token must come first
// (the form puts it first, the script sends it as a header).
func (h *Handler) uploadForm(c *gin.Context) {
	h.extendDeadlines(c)
	s, _ := session(c)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		h.errorPage(c, http.StatusBadRequest, h.l(c).T("err.badrequest", h.l(c).T("err.badform")))
		return
	}
	csrfOK := validCSRF(s.CSRF, c.GetHeader("X-CSRF-Token"))
	var last media.Item
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			h.mediaAnswerErr(c, err)
			return
		}
		switch part.FormName() {
		case csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			csrfOK = csrfOK || validCSRF(s.CSRF, string(b))
		case "file", "files":
			if !csrfOK {
				part.Close()
				h.errorPage(c, http.StatusForbidden, h.l(c).T("err.csrf"))
				return
			}
			if part.FileName() == "" {
				part.Close()
				continue
			}
			it, err := h.d.Media.Upload(c.Request.Context(), s.Principal, 0, part.FileName(), part)
			part.Close()
			if err != nil {
				h.mediaAnswerErr(c, err)
				return
			}
			last, n = it, n+1
		}
		part.Close()
	}
	if !csrfOK {
		h.errorPage(c, http.StatusForbidden, h.l(c).T("err.csrf"))
		return
	}
	if n == 0 {
		h.mediaAnswerErr(c, &media.Problem{Code: "no_file", Message: "choose a file to upload", MessageID: "pilih berkas yang akan diunggah"})
		return
	}
	if !wantsJSON(c) && n > 1 {
		c.Redirect(http.StatusSeeOther, "/media?ok=media.uploaded.n&n="+strconv.Itoa(n))
		return
	}
	h.answerItem(c, last)
}

func (h *Handler) mediaAnswerErr(c *gin.Context, err error) {
	if wantsJSON(c) {
		h.mediaJSONError(c, err)
		return
	}
	h.mediaError(c, err)
}

type startReq struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// startUpload opens a resumable upload for the script.
func (h *Handler) startUpload(c *gin.Context) {
	s, _ := session(c)
	var r startReq
	if err := json.NewDecoder(io.LimitReader(c.Request.Body, 4096)).Decode(&r); err != nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": h.l(c).T("err.badrequest", err.Error())})
		return
	}
	up, err := h.d.Media.StartUpload(c.Request.Context(), s.Principal, 0, r.Filename, r.Size)
	if err != nil {
		h.mediaJSONError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": up.ID, "offset": up.Received, "chunk": chunkBytes, "url": "/media/uploads/" + up.ID})
}

func (h *Handler) uploadStatus(c *gin.Context) {
	s, _ := session(c)
	up, err := h.d.Media.UploadStatus(c.Request.Context(), s.Principal, c.Param("upload"))
	if err != nil {
		h.mediaJSONError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": up.ID, "offset": up.Received, "size": up.Size, "media_id": up.MediaID})
}

// writeChunk appends a chunk at its Upload-Offset.
func (h *Handler) writeChunk(c *gin.Context) {
	h.extendDeadlines(c)
	s, _ := session(c)
	off, err := strconv.ParseInt(c.GetHeader("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": h.l(c).T("err.badrequest", "Upload-Offset")})
		return
	}
	up, it, err := h.d.Media.WriteChunk(c.Request.Context(), s.Principal, c.Param("upload"), off, c.Request.Body)
	if err != nil {
		h.mediaJSONError(c, err)
		return
	}
	if it == nil {
		c.JSON(http.StatusOK, gin.H{"id": up.ID, "offset": up.Received})
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": up.ID, "offset": up.Received, "media": h.card(h.l(c), *it, h.userNames(c.Request.Context()))})
}

// importURL downloads a pasted URL into the library.
func (h *Handler) importURL(c *gin.Context) {
	s, _ := session(c)
	raw := c.PostForm("url")
	if ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); ct == "application/json" {
		var r struct {
			URL string `json:"url"`
		}
		_ = json.NewDecoder(io.LimitReader(c.Request.Body, 8192)).Decode(&r)
		raw = r.URL
	}
	it, err := h.d.Media.Import(c.Request.Context(), s.Principal, 0, strings.TrimSpace(raw))
	if err != nil {
		h.mediaAnswerErr(c, err)
		return
	}
	h.answerItem(c, it)
}

func (h *Handler) cropMedia(c *gin.Context) {
	s, _ := session(c)
	ratio := c.PostForm("ratio")
	if ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); ct == "application/json" {
		var r struct {
			Ratio string `json:"ratio"`
		}
		_ = json.NewDecoder(io.LimitReader(c.Request.Body, 1024)).Decode(&r)
		ratio = r.Ratio
	}
	it, err := h.d.Media.Crop(c.Request.Context(), s.Principal, parseID(c.Param("id")), ratio)
	if err != nil {
		h.mediaAnswerErr(c, err)
		return
	}
	h.answerItem(c, it)
}

func (h *Handler) deleteMedia(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	if err := h.d.Media.Delete(c.Request.Context(), s.Principal, id); err != nil {
		h.mediaAnswerErr(c, err)
		return
	}
	if wantsJSON(c) {
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, "/media?ok=media.deleted&n="+strconv.FormatInt(id, 10))
}

// thumb serves an item's thumbnail, or a placeholder (never a broken
// image): a video without a poster frame, a deleted file.
func (h *Handler) thumb(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	it, err := h.d.Media.Get(c.Request.Context(), s.Principal, id)
	if err != nil {
		placeholder(c, "image")
		return
	}
	obj, ok, err := h.d.Media.OpenThumb(c.Request.Context(), id)
	if err != nil || !ok {
		placeholder(c, it.Kind)
		return
	}
	defer obj.Close()
	media.ServeObject(c.Writer, c.Request, obj, media.TypeJPEG, "private, max-age=86400")
}

// file serves the item itself to signed-in staff (previews, video play).
func (h *Handler) file(c *gin.Context) {
	s, _ := session(c)
	id := parseID(c.Param("id"))
	if _, err := h.d.Media.Get(c.Request.Context(), s.Principal, id); err != nil {
		h.mediaError(c, err)
		return
	}
	obj, it, err := h.d.Media.Open(c.Request.Context(), id)
	if err != nil {
		if errors.Is(err, media.ErrNotFound) {
			placeholder(c, it.Kind)
			return
		}
		h.fail(c, err)
		return
	}
	defer obj.Close()
	media.ServeObject(c.Writer, c.Request, obj, it.MIME, "private, max-age=3600")
}

// placeholder is an SVG standing in for a picture: a frame with a play
// sign for videos, a landscape for images.
func placeholder(c *gin.Context, kind string) {
	sign := `<path d="M52 74 L84 56 L84 92 Z" fill="#fff" opacity=".9" transform="translate(28 4)"/>`
	label := "video"
	if kind != media.KindVideo {
		sign = `<circle cx="62" cy="52" r="10" fill="#fff" opacity=".85"/><path d="M20 110 L62 70 L88 94 L108 78 L140 110 Z" fill="#fff" opacity=".85"/>`
		label = "gambar"
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120" width="160" height="120" role="img" aria-label="` + label + `">` +
		`<rect width="160" height="120" rx="6" fill="#5b6470"/>` + sign + `</svg>`
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/svg+xml", []byte(svg))
}

// publicMedia serves the signed links Meta fetches: no session.
func (h *Handler) publicMedia(c *gin.Context) {
	h.d.Media.ServePublic(c.Writer, c.Request, c.Param("token"))
}

// cards loads library items by id (for the compose form), in order.
func (h *Handler) cards(c *gin.Context, ids []int64) []MediaCard {
	if h.d.Media == nil || len(ids) == 0 {
		return nil
	}
	items, err := h.d.Media.Items(c.Request.Context(), ids)
	if err != nil {
		h.log.WarnContext(c.Request.Context(), "load media for the form", "err", err)
		return nil
	}
	l := h.l(c)
	users := h.userNames(c.Request.Context())
	var out []MediaCard
	for _, id := range ids {
		if it, ok := items[id]; ok {
			out = append(out, h.card(l, it, users))
		}
	}
	return out
}

// Bytes writes a size as staff read it (1,2 MB; 840 KB).
func (l L) Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return l.Num(float64(n)/(1<<30), 1) + " GB"
	case n >= 1<<20:
		return l.Num(float64(n)/(1<<20), 1) + " MB"
	case n >= 1<<10:
		return l.Num(math.Round(float64(n)/(1<<10)), 0) + " KB"
	}
	return l.Int(n) + " B"
}

// Duration writes seconds as m:ss (or h:mm:ss).
func (l L) Duration(s float64) string {
	d := int(math.Round(s))
	if d >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", d/3600, d/60%60, d%60)
	}
	return fmt.Sprintf("%d:%02d", d/60, d%60)
}
