package graphsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // DecodeConfig of fetched images
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/humas-id/humas/media/mp4"
)

// Media the simulator receives: Page photos and videos uploaded as bytes
// (multipart `source`), Reel bodies sent to the upload URL, and the files
// Instagram fetches by URL (Options.FetchMedia). Tests read them with
// Uploads and Fetches.

// Upload is a file a client sent as bytes.
type Upload struct {
	Endpoint string // page_photos_post, page_photos_upload, page_videos_post, video_upload
	ObjectID string // the Page (or, for a Reel, the video)
	Field    string // "source" (multipart) or "body" (rupload)
	Filename string
	// Multipart: the request was multipart/form-data.
	Multipart bool
	Size      int64
	SHA256    string
	Type      string // sniffed: image/jpeg, image/png, video/mp4, ...
	Width     int
	Height    int
	Duration  time.Duration
}

// Fetch is a media URL Instagram fetched at container creation.
type Fetch struct {
	URL    string
	Status int // HTTP status, 0 when no answer
	Type   string
	Size   int64
	SHA256 string
	Width  int
	Height int
	Err    string
	At     time.Time
}

// maxSimFile bounds a file the simulator reads (it keeps only its hash).
const maxSimFile = 2 << 30

// received is what a request carried beyond its form: an uploaded file,
// or the media its image_url / video_url pointed at.
type received struct {
	upload  *Upload
	fetched map[string]*Fetch
}

// describe hashes and sniffs a file, reading MP4 metadata of videos.
func describe(r io.Reader, u *Upload) error {
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(h, &limitedBuffer{b: &head, max: 1 << 20}), io.LimitReader(r, maxSimFile))
	if err != nil {
		return err
	}
	u.Size, u.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	b := head.Bytes()
	u.Type = sniff(b)
	switch u.Type {
	case "image/jpeg", "image/png", "image/gif":
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil {
			u.Width, u.Height = cfg.Width, cfg.Height
		}
	case "video/mp4":
		// The first MiB holds moov when the file was made for streaming.
		if info, err := mp4.Probe(bytes.NewReader(b), int64(len(b))); err == nil {
			u.Width, u.Height, u.Duration = info.Width, info.Height, time.Duration(info.Duration*float64(time.Second))
		}
	}
	return nil
}

type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		if len(p) > room {
			l.b.Write(p[:room])
		} else {
			l.b.Write(p)
		}
	}
	return len(p), nil
}

func sniff(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return "image/gif"
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	case len(b) >= 8 && (string(b[4:8]) == "ftyp" || string(b[4:8]) == "moov"):
		return "video/mp4"
	}
	return http.DetectContentType(b)
}

// readUpload reads what a request carries besides its form, before the
// simulator's lock is taken (reading a file or fetching a URL may take a
// while): a multipart `source` file, a Reel body sent to the upload URL,
// or, with FetchMedia, the files an Instagram container names.
func (s *Sim) readUpload(r *http.Request, q *rq) (*received, *gErr) {
	rc := &received{}
	switch {
	case r.MultipartForm != nil && r.MultipartForm.File["source"] != nil:
		fh := r.MultipartForm.File["source"][0]
		f, err := fh.Open()
		if err != nil {
			return nil, errInvalidParam("Could not read the uploaded file")
		}
		defer f.Close()
		u := &Upload{Field: "source", Filename: fh.Filename, Multipart: true}
		if err := describe(f, u); err != nil {
			return nil, errInvalidParam("Could not read the uploaded file")
		}
		rc.upload = u
	case r.Method == http.MethodPost && len(q.segs) == 3 && q.segs[0] == "video-upload" && r.Header.Get("file_url") == "":
		size, err1 := strconv.ParseInt(r.Header.Get("file_size"), 10, 64)
		off, err2 := strconv.ParseInt(r.Header.Get("offset"), 10, 64)
		if err1 != nil || err2 != nil || size <= 0 || off != 0 {
			return nil, errInvalidParam("Send the file_size and offset (0) headers with the bytes, or a file_url header")
		}
		u := &Upload{Field: "body", Filename: q.segs[2]}
		if err := describe(r.Body, u); err != nil {
			return nil, errInvalidParam("Could not read the uploaded bytes")
		}
		if u.Size != size {
			return nil, errInvalidParam("Received %d bytes, the file_size header says %d", u.Size, size)
		}
		rc.upload = u
	}
	if s.opt.FetchMedia && r.Method == http.MethodPost && len(q.segs) == 2 && q.segs[1] == "media" {
		for _, k := range []string{"image_url", "video_url"} {
			if u := q.params.Get(k); u != "" {
				if rc.fetched == nil {
					rc.fetched = map[string]*Fetch{}
				}
				rc.fetched[u] = s.fetchMedia(r.Context(), u)
			}
		}
	}
	return rc, nil
}

// fetchMedia downloads a media URL as Instagram's servers would.
func (s *Sim) fetchMedia(ctx context.Context, u string) *Fetch {
	f := &Fetch{URL: u, At: s.now()}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		f.Err = err.Error()
		return f
	}
	req.Header.Set("User-Agent", "facebookexternalhit/1.1 (graphsim)")
	c := s.opt.FetchClient
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		f.Err = err.Error()
		return f
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		f.Err = resp.Status
		return f
	}
	var up Upload
	if err := describe(resp.Body, &up); err != nil {
		f.Err = err.Error()
		return f
	}
	f.Type, f.Size, f.SHA256, f.Width, f.Height = up.Type, up.Size, up.SHA256, up.Width, up.Height
	return f
}

// checkFetched fails a container as Instagram does when it could not get
// the media (9004/2207052) or got something it does not take. Lock held.
func (s *Sim) checkFetched(q *rq, u string, video bool) *gErr {
	if !s.opt.FetchMedia || q.recv == nil {
		return nil
	}
	f := q.recv.fetched[u]
	if f == nil {
		return nil
	}
	s.fetches = append(s.fetches, *f)
	if f.Err != "" {
		return errIG(9004, 2207052, "The media could not be fetched from this uri: "+u, "Media download has failed")
	}
	if video {
		if f.Type != "video/mp4" {
			return errIG(352, 2207026, "The video format is not supported. Please check spec for supported formats.", "Unsupported format")
		}
		return nil
	}
	if f.Type != "image/jpeg" {
		return errIG(36001, 2207005, "The image format is not supported. Only JPEG is supported.", "Unsupported format")
	}
	if f.Size > 8<<20 {
		return errIG(36000, 2207004, "The image is too large to download. It should be less than 8 MiB.", "Image too large")
	}
	if f.Height > 0 {
		if ar := float64(f.Width) / float64(f.Height); ar < 0.79 || ar > 1.92 {
			return errIG(36003, 2207009, "The submitted image with aspect ratio "+strconv.FormatFloat(ar, 'f', 2, 64)+
				" cannot be published. Please submit an image with a valid aspect ratio.", "Invalid aspect ratio")
		}
	}
	return nil
}

// recordUpload keeps an upload for Uploads. Lock held.
func (s *Sim) recordUpload(q *rq, endpoint, objectID string) *Upload {
	if q.recv == nil || q.recv.upload == nil {
		return nil
	}
	u := *q.recv.upload
	u.Endpoint, u.ObjectID = endpoint, objectID
	s.uploads = append(s.uploads, u)
	return &u
}

// Uploads lists the files clients sent as bytes, oldest first.
func (s *Sim) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// Fetches lists the media URLs Instagram fetched (FetchMedia), oldest first.
func (s *Sim) Fetches() []Fetch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fetch(nil), s.fetches...)
}

func uploadRef(u *Upload) string { return "upload:" + strings.ToLower(u.SHA256) }
