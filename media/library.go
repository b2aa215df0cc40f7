package media

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media/mp4"
	"github.com/humas-id/humas/store"
)

// Rules are the scheduler's: who sees and writes in which unit (the same
// rules as for posts: one's own unit and the units below it), and which
// posts use which media. *scheduler.Service implements it.
type Rules interface {
	// CheckUnit: p may see unit's posts (and media).
	CheckUnit(ctx context.Context, p auth.Principal, unitID int64) error
	// CheckWriteUnit: p may write posts (and upload media) in unit.
	CheckWriteUnit(ctx context.Context, p auth.Principal, unitID int64) error
	// VisibleUnitIDs are the units p sees (nil: every unit).
	VisibleUnitIDs(ctx context.Context, p auth.Principal) ([]int64, error)
	// MediaUses lists the posts using each of the media ids.
	MediaUses(ctx context.Context, ids []int64) (map[int64][]Use, error)
}

// Options configure a Library; zero values take the defaults noted.
type Options struct {
	Blobs Blobs
	// TempDir holds uploads in progress and files being prepared (a
	// private folder under the state folder).
	TempDir string
	// MaxUploadBytes bounds one file (default 512 MiB).
	MaxUploadBytes int64
	// PublicURL is humas's address as Meta reaches it (HUMAS_PUBLIC_URL):
	// Instagram fetches media from PublicURL/m/<signed token>.
	PublicURL string
	// URLKey signs those URLs (32 bytes); URLTTL is how long one is valid
	// (default 6 h).
	URLKey []byte
	URLTTL time.Duration
	// PresignPublic gives Meta the object store's presigned URL instead
	// of humas's own (S3 mode, when the store is reachable from Meta).
	PresignPublic bool
	// FFmpeg is the path of ffmpeg for video poster frames ("" none:
	// videos get a placeholder).
	FFmpeg string
	// Fetch bounds downloads of pasted URLs.
	Fetch FetchOptions
	// UploadTTL: an upload not finished within it is dropped (default 24 h).
	UploadTTL time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Library is the media library: uploads, checks, conversions, storage and
// the signed public URLs Meta fetches. It is safe for concurrent use.
type Library struct {
	db    *store.SQLite
	rules Rules
	opt   Options
	log   *slog.Logger
	fetch *fetcher

	locks sync.Map // upload id → *sync.Mutex
}

// Library errors (the API maps them to statuses).
var (
	ErrNotFound = errors.New("media not found")
	// ErrNoPublicURL: Instagram needs a public URL and none is configured.
	ErrNoPublicURL = errors.New("no public URL is configured (set HUMAS_PUBLIC_URL to the address Meta reaches humas at)")
)

// TooLargeError is a file over the upload limit (HTTP 413).
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the file is larger than the upload limit of %s", fmtBytes(e.Limit))
}

// MessageID is the error in Bahasa Indonesia.
func (e *TooLargeError) MessageID() string {
	return fmt.Sprintf("berkas melebihi batas unggah %s; perkecil atau potong videonya", fmtBytes(e.Limit))
}

// InUseError refuses to delete media a post still needs (HTTP 409).
type InUseError struct {
	MediaID int64
	Posts   []Use
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("media %d is used by %s (%s): remove it from the post or cancel the post first", e.MediaID, postList(e.Posts), e.Posts[0].State)
}

// MessageID is the error in Bahasa Indonesia.
func (e *InUseError) MessageID() string {
	return fmt.Sprintf("media %d dipakai oleh %s (%s): lepaskan dari kiriman itu atau batalkan kirimannya dulu", e.MediaID,
		strings.ReplaceAll(postList(e.Posts), "post", "kiriman"), e.Posts[0].State)
}

func postList(us []Use) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = fmt.Sprintf("post %d", u.PostID)
	}
	return strings.Join(parts, ", ")
}

// New returns the library.
func New(db *store.SQLite, rules Rules, o Options) (*Library, error) {
	if db == nil || rules == nil || o.Blobs == nil {
		return nil, errors.New("media: a database, the scheduler's rules and a blob store are required")
	}
	if o.TempDir == "" {
		return nil, errors.New("media: a temp folder is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 512 << 20
	}
	if o.URLTTL <= 0 {
		o.URLTTL = 6 * time.Hour
	}
	if o.UploadTTL <= 0 {
		o.UploadTTL = 24 * time.Hour
	}
	if len(o.URLKey) < 16 {
		return nil, errors.New("media: a URL signing key of at least 16 bytes is required")
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if err := store.PrivateDir(o.TempDir, o.Logger); err != nil {
		return nil, fmt.Errorf("media temp folder %s: %w", o.TempDir, err)
	}
	if o.Fetch.MaxBytes <= 0 {
		o.Fetch.MaxBytes = o.MaxUploadBytes
	}
	return &Library{db: db, rules: rules, opt: o, log: o.Logger, fetch: newFetcher(o.Fetch)}, nil
}

// MaxUploadBytes is the upload limit.
func (l *Library) MaxUploadBytes() int64 { return l.opt.MaxUploadBytes }

// Describe names the blob store and the poster-frame tool, for /readyz.
func (l *Library) Describe() map[string]any {
	ff := "not found: video thumbnails are placeholders"
	if l.opt.FFmpeg != "" {
		ff = l.opt.FFmpeg
	}
	return map[string]any{"store": l.opt.Blobs.Describe(), "ffmpeg": ff, "public_url": l.opt.PublicURL,
		"max_upload_bytes": l.opt.MaxUploadBytes}
}

// Ping checks the blob store.
func (l *Library) Ping(ctx context.Context) error { return l.opt.Blobs.Ping(ctx) }

// spool copies r into a new private temp file, at most limit bytes,
// hashing as it goes. Nothing is held in memory beyond the copy buffer.
func (l *Library) spool(ctx context.Context, r io.Reader, limit int64) (path string, size int64, sum string, err error) {
	f, err := os.CreateTemp(l.opt.TempDir, "up-*")
	if err != nil {
		return "", 0, "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, io.LimitReader(r, limit+1)})
	if err != nil {
		return "", n, "", err
	}
	if n > limit {
		return "", n, "", &TooLargeError{Limit: limit}
	}
	if n == 0 {
		return "", 0, "", &Problem{Severity: SevError, Code: "empty", Field: "file", Message: "the file is empty", MessageID: "berkasnya kosong"}
	}
	return f.Name(), n, hex.EncodeToString(h.Sum(nil)), nil
}

// Upload stores a file sent in one request (the API's multipart upload),
// for unit unitID (0: p's unit).
func (l *Library) Upload(ctx context.Context, p auth.Principal, unitID int64, filename string, r io.Reader) (Item, error) {
	if unitID == 0 {
		unitID = p.UnitID
	}
	if err := l.rules.CheckWriteUnit(ctx, p, unitID); err != nil {
		return Item{}, err
	}
	tmp, size, sum, err := l.spool(ctx, r, l.opt.MaxUploadBytes)
	if err != nil {
		return Item{}, err
	}
	defer os.Remove(tmp)
	return l.ingest(ctx, p, unitID, filename, tmp, size, sum, "")
}

// Import downloads a pasted URL (http or https, public addresses only)
// and stores it like an upload.
func (l *Library) Import(ctx context.Context, p auth.Principal, unitID int64, rawURL string) (Item, error) {
	if unitID == 0 {
		unitID = p.UnitID
	}
	if err := l.rules.CheckWriteUnit(ctx, p, unitID); err != nil {
		return Item{}, err
	}
	body, name, err := l.fetch.get(ctx, rawURL)
	if err != nil {
		return Item{}, err
	}
	defer body.Close()
	tmp, size, sum, err := l.spool(ctx, body, l.opt.Fetch.MaxBytes)
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return Item{}, err
		}
		return Item{}, &FetchError{URL: rawURL, Reason: "the download broke off: " + err.Error(), ReasonID: "unduhan terputus: " + err.Error()}
	}
	defer os.Remove(tmp)
	return l.ingest(ctx, p, unitID, name, tmp, size, sum, rawURL)
}

// newKey is an unguessable storage key under the unit's folder.
func (l *Library) newKey(unitID int64, ext string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	now := l.opt.Now().UTC()
	return fmt.Sprintf("u%d/%04d/%02d/%s%s", unitID, now.Year(), int(now.Month()), hex.EncodeToString(b[:]), ext)
}

// cleanName keeps a file name for display: its base, valid UTF-8, no
// control characters, at most 200 bytes.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "�")
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
		for !utf8.ValidString(name) {
			name = name[:len(name)-1]
		}
	}
	if name == "" || name == "." || name == "/" {
		name = "berkas"
	}
	return name
}

// ingest checks, converts and stores the spooled file at tmp.
func (l *Library) ingest(ctx context.Context, p auth.Principal, unitID int64, filename, tmp string, size int64, sum, source string) (Item, error) {
	f, err := os.Open(tmp)
	if err != nil {
		return Item{}, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	typ := Sniff(head[:n])
	it := Item{UnitID: unitID, UploadedBy: p.UserID, Filename: cleanName(filename), SourceURL: source, CreatedAt: l.opt.Now().UTC(),
		Notes: []string{}, SHA256: sum}
	switch typ {
	case TypeJPEG, TypePNG, TypeWebP, TypeGIF:
		res, err := prepareImage(tmp, l.opt.TempDir, typ)
		if res.path != "" {
			defer os.Remove(res.path)
		}
		if err != nil {
			return Item{}, withFile(err)
		}
		it.Kind, it.MIME, it.Width, it.Height, it.Size, it.Notes = KindImage, TypeJPEG, res.width, res.height, res.size, nonNil(res.notes)
		if typ != TypeJPEG || res.size != size {
			it.Original = Original{MIME: typ, Size: size}
		}
		if it.SHA256, err = fileSHA256(res.path); err != nil {
			return Item{}, err
		}
		it.storageKey = l.newKey(unitID, ".jpg")
		if err := l.putFile(ctx, it.storageKey, res.path, TypeJPEG); err != nil {
			return Item{}, err
		}
		if len(res.thumb) > 0 {
			it.thumbKey = strings.TrimSuffix(it.storageKey, ".jpg") + ".thumb.jpg"
			if err := l.opt.Blobs.Put(ctx, it.thumbKey, strings.NewReader(string(res.thumb)), int64(len(res.thumb)), TypeJPEG); err != nil {
				_ = l.opt.Blobs.Delete(ctx, it.storageKey)
				return Item{}, err
			}
		}
	case TypeMP4, TypeMOV:
		vf, err := os.Open(tmp)
		if err != nil {
			return Item{}, err
		}
		info, err := mp4.Probe(vf, size)
		vf.Close()
		if err != nil {
			return Item{}, &Problem{Severity: SevError, Field: "file", Code: "unreadable",
				Message:   "the video cannot be read (" + err.Error() + "); export it again as MP4 (H.264, AAC)",
				MessageID: "video tidak dapat dibaca (" + err.Error() + "); ekspor ulang sebagai MP4 (H.264, AAC)"}
		}
		if info.VideoCodec == "" {
			return Item{}, &Problem{Severity: SevError, Field: "file", Code: "no_video_track",
				Message: "the file has no video track (sound only?); upload a video", MessageID: "berkas tidak berisi gambar video (hanya suara?); unggah sebuah video"}
		}
		it.Kind, it.MIME, it.Size = KindVideo, typ, size
		it.Width, it.Height, it.Duration, it.FrameRate = info.Width, info.Height, info.Duration, info.FrameRate
		it.Container, it.VideoCodec, it.AudioCodec, it.FastStart = info.Container, info.VideoCodec, info.AudioCodec, info.FastStart
		it.storageKey = l.newKey(unitID, Ext(typ))
		if err := l.putFile(ctx, it.storageKey, tmp, typ); err != nil {
			return Item{}, err
		}
		if thumb := l.posterFrame(ctx, tmp, info.Duration); len(thumb) > 0 {
			it.thumbKey = strings.TrimSuffix(it.storageKey, Ext(typ)) + ".thumb.jpg"
			if err := l.opt.Blobs.Put(ctx, it.thumbKey, strings.NewReader(string(thumb)), int64(len(thumb)), TypeJPEG); err != nil {
				l.log.WarnContext(ctx, "store video poster frame", "err", err)
				it.thumbKey = ""
			}
		}
	case TypeHEIC:
		return Item{}, &Problem{Severity: SevError, Field: "type", Code: "heic",
			Message:   "this is a HEIC/AVIF photo (an iPhone's default); set the camera to “Most Compatible” or export it as JPEG, then upload it again",
			MessageID: "ini foto HEIC/AVIF (bawaan iPhone); atur kamera ke “Paling Kompatibel” atau ekspor sebagai JPEG, lalu unggah lagi"}
	default:
		what := http.DetectContentType(head[:n])
		return Item{}, &Problem{Severity: SevError, Field: "type", Code: "unsupported_type",
			Message:   fmt.Sprintf("the file is not an image or a video humas can publish (its content is %s, whatever its name says); upload a JPEG, PNG or WebP image or an MP4/MOV video", what),
			MessageID: fmt.Sprintf("berkas bukan gambar atau video yang dapat dipublikasikan (isinya %s, apa pun namanya); unggah gambar JPEG, PNG atau WebP, atau video MP4/MOV", what)}
	}
	it.HasThumb = it.thumbKey != ""
	if err := l.insert(ctx, &it); err != nil {
		_ = l.opt.Blobs.Delete(ctx, it.storageKey)
		if it.thumbKey != "" {
			_ = l.opt.Blobs.Delete(ctx, it.thumbKey)
		}
		return Item{}, err
	}
	it.Problems = it.CheckAll(it.DefaultTargets()...)
	it.Uses = []Use{}
	l.log.InfoContext(ctx, "media stored", "media_id", it.ID, "unit_id", unitID, "kind", it.Kind, "bytes", it.Size, "notes", it.Notes)
	return it, nil
}

// withFile marks a conversion problem as about the file.
func withFile(err error) error {
	var pr *Problem
	if errors.As(err, &pr) {
		if pr.Severity == "" {
			pr.Severity = SevError
		}
		if pr.Field == "" {
			pr.Field = "file"
		}
	}
	return err
}

func (l *Library) putFile(ctx context.Context, key, path, typ string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return l.opt.Blobs.Put(ctx, key, f, st.Size(), typ)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Get returns an item p may see, with its problems and uses.
func (l *Library) Get(ctx context.Context, p auth.Principal, id int64) (Item, error) {
	it, err := l.item(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if err := l.rules.CheckUnit(ctx, p, it.UnitID); err != nil {
		return Item{}, fmt.Errorf("media %d: %w", id, ErrNotFound)
	}
	uses, err := l.rules.MediaUses(ctx, []int64{id})
	if err != nil {
		return Item{}, err
	}
	it.Uses = nonNilUses(uses[id])
	it.Problems = it.CheckAll(it.DefaultTargets()...)
	return it, nil
}

func nonNilUses(u []Use) []Use {
	if u == nil {
		return []Use{}
	}
	return u
}

// Filter selects library items.
type Filter struct {
	UnitID int64  // with the units below it; 0: every unit p sees
	Kind   string // image, video or ""
	Limit  int    // default 100, at most 500
	Before int64  // items with a smaller id (paging)
}

// List lists the items p may see, newest first, with uses and problems.
func (l *Library) List(ctx context.Context, p auth.Principal, f Filter) ([]Item, error) {
	var units []int64
	if f.UnitID != 0 {
		if err := l.rules.CheckUnit(ctx, p, f.UnitID); err != nil {
			return nil, err
		}
	}
	all, err := l.rules.VisibleUnitIDs(ctx, p)
	if err != nil {
		return nil, err
	}
	units = all
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT ` + qItemCols + ` FROM media WHERE deleted_at IS NULL`
	var args []any
	if units != nil {
		if len(units) == 0 {
			return []Item{}, nil
		}
		q += ` AND unit_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(units)), ",") + `)`
		for _, u := range units {
			args = append(args, u)
		}
	}
	if f.UnitID != 0 {
		q += ` AND unit_id = ?`
		args = append(args, f.UnitID)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := l.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("media: list: %w", err)
	}
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("media: list: %w", err)
		}
		out = append(out, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i, it := range out {
		ids[i] = it.ID
	}
	uses, err := l.rules.MediaUses(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Uses = nonNilUses(uses[out[i].ID])
		out[i].Problems = out[i].CheckAll(out[i].DefaultTargets()...)
	}
	if out == nil {
		out = []Item{}
	}
	return out, nil
}

// Delete removes an item p may write in its unit; media a pending post
// uses is refused with an *InUseError naming the post.
func (l *Library) Delete(ctx context.Context, p auth.Principal, id int64) error {
	it, err := l.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if err := l.rules.CheckWriteUnit(ctx, p, it.UnitID); err != nil {
		return err
	}
	var pending []Use
	for _, u := range it.Uses {
		if u.Pending() {
			pending = append(pending, u)
		}
	}
	if len(pending) > 0 {
		return &InUseError{MediaID: id, Posts: pending}
	}
	return l.remove(ctx, it, "deleted by "+p.Name)
}

// remove deletes the blobs and marks the row deleted.
func (l *Library) remove(ctx context.Context, it Item, why string) error {
	if it.DeletedAt != nil {
		return nil
	}
	for _, k := range []string{it.storageKey, it.thumbKey} {
		if k == "" {
			continue
		}
		if err := l.opt.Blobs.Delete(ctx, k); err != nil {
			return err
		}
	}
	if _, err := l.db.DB.ExecContext(ctx, qItemDeleted, store.FormatTime(l.opt.Now()), it.ID); err != nil {
		return fmt.Errorf("media %d: mark deleted: %w", it.ID, err)
	}
	l.log.InfoContext(ctx, "media deleted", "media_id", it.ID, "why", why)
	return nil
}

// Open reads an item's file for publishing (no scope check: the
// scheduler publishes approved posts). A deleted item is ErrNotFound.
func (l *Library) Open(ctx context.Context, id int64) (Object, Item, error) {
	it, err := l.item(ctx, id)
	if err != nil {
		return nil, Item{}, err
	}
	if it.DeletedAt != nil {
		return nil, it, fmt.Errorf("media %d was deleted: %w", id, ErrNotFound)
	}
	obj, err := l.opt.Blobs.Open(ctx, it.storageKey)
	if err != nil {
		return nil, it, err
	}
	return obj, it, nil
}

// OpenThumb reads an item's thumbnail; ok is false when it has none (a
// video without ffmpeg): show a placeholder.
func (l *Library) OpenThumb(ctx context.Context, id int64) (Object, bool, error) {
	it, err := l.item(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if it.thumbKey == "" || it.DeletedAt != nil {
		return nil, false, nil
	}
	obj, err := l.opt.Blobs.Open(ctx, it.thumbKey)
	if errors.Is(err, ErrBlobNotFound) {
		return nil, false, nil
	}
	return obj, err == nil, err
}

// Crop makes a new item: the largest centred region of image id with the
// aspect ratio named (1:1, 4:5, 1.91:1, 9:16, 16:9).
func (l *Library) Crop(ctx context.Context, p auth.Principal, id int64, ratio string) (Item, error) {
	aspect, ok := CropRatios[ratio]
	if !ok {
		return Item{}, &Problem{Severity: SevError, Field: "crop", Code: "bad_crop",
			Message: fmt.Sprintf("%q is not one of 1:1, 4:5, 1.91:1, 9:16, 16:9", ratio), MessageID: fmt.Sprintf("%q bukan salah satu dari 1:1, 4:5, 1.91:1, 9:16, 16:9", ratio)}
	}
	src, err := l.Get(ctx, p, id)
	if err != nil {
		return Item{}, err
	}
	if err := l.rules.CheckWriteUnit(ctx, p, src.UnitID); err != nil {
		return Item{}, err
	}
	if src.Kind != KindImage {
		return Item{}, &Problem{Severity: SevError, Field: "crop", Code: "crop_video", Message: "only images can be cropped here; crop videos before uploading",
			MessageID: "hanya gambar yang dapat dipotong di sini; potong video sebelum diunggah"}
	}
	obj, _, err := l.Open(ctx, id)
	if err != nil {
		return Item{}, err
	}
	tmp, size, _, err := l.spool(ctx, obj, l.opt.MaxUploadBytes)
	obj.Close()
	if err != nil {
		return Item{}, err
	}
	defer os.Remove(tmp)
	res, err := cropImage(tmp, l.opt.TempDir, aspect)
	if res.path != "" {
		defer os.Remove(res.path)
	}
	if err != nil {
		return Item{}, err
	}
	it := Item{UnitID: src.UnitID, UploadedBy: p.UserID, Kind: KindImage, MIME: TypeJPEG, Filename: src.Filename, Size: res.size,
		Width: res.width, Height: res.height, DerivedFrom: src.ID, Crop: ratio, Notes: append(slicesClone(src.Notes), res.notes...),
		Original: Original{MIME: src.MIME, Size: size, Width: src.Width, Height: src.Height}, CreatedAt: l.opt.Now().UTC(), SourceURL: src.SourceURL}
	if it.SHA256, err = fileSHA256(res.path); err != nil {
		return Item{}, err
	}
	it.storageKey = l.newKey(src.UnitID, ".jpg")
	if err := l.putFile(ctx, it.storageKey, res.path, TypeJPEG); err != nil {
		return Item{}, err
	}
	if len(res.thumb) > 0 {
		it.thumbKey = strings.TrimSuffix(it.storageKey, ".jpg") + ".thumb.jpg"
		if err := l.opt.Blobs.Put(ctx, it.thumbKey, strings.NewReader(string(res.thumb)), int64(len(res.thumb)), TypeJPEG); err != nil {
			return Item{}, err
		}
		it.HasThumb = true
	}
	if err := l.insert(ctx, &it); err != nil {
		return Item{}, err
	}
	it.Problems = it.CheckAll(it.DefaultTargets()...)
	it.Uses = []Use{}
	return it, nil
}

// CropRatios are the crops offered (width ÷ height).
var CropRatios = map[string]float64{"1:1": 1, "4:5": 0.8, "1.91:1": 1.91, "9:16": 9.0 / 16, "16:9": 16.0 / 9}

func slicesClone(s []string) []string { return append([]string{}, s...) }

// tempPath is a file under the temp folder.
func (l *Library) tempPath(name string) string { return filepath.Join(l.opt.TempDir, name) }
