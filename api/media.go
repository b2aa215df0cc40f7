package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/valid"
)

// MediaDeps serve the media library's API.
type MediaDeps struct {
	Library *media.Library
	// Units resolves a unit id or slug (the scheduler's deps do).
	Units SchedulerDeps
	// UploadTimeout replaces the server's read and write timeouts on
	// upload routes (media.upload_timeout).
	UploadTimeout time.Duration
}

// MountMedia adds the media routes under g (behind RequireAuth) and gives
// the upload routes their own body limit on srv: the upload limit for a
// whole file, the same for a chunk of a resumable upload.
func MountMedia(srv *Server, g *gin.RouterGroup, d MediaDeps) {
	g.GET("/media", Handle(d.list))
	g.POST("/media", Handle(d.upload))
	g.GET("/media/:id", Handle(d.get))
	g.DELETE("/media/:id", Handle(d.delete))
	g.POST("/media/:id/crop", Handle(d.crop))
	g.POST("/media/uploads", Handle(d.startUpload))
	g.GET("/media/uploads/:upload", Handle(d.uploadStatus))
	g.PUT("/media/uploads/:upload", Handle(d.writeChunk))
	if srv != nil {
		max := d.Library.MaxUploadBytes() + 1<<20 // the multipart envelope
		srv.SetBodyLimit(http.MethodPost, g.BasePath()+"/media", max)
		srv.SetBodyLimit(http.MethodPut, g.BasePath()+"/media/uploads/:upload", max)
	}
}

// MapMediaErr turns the library's errors into API errors (the pages use
// it too): Classify's answer, or err itself when Classify has none.
func MapMediaErr(err error) error {
	if e := Classify(err); e != nil {
		return e
	}
	return err
}

// classifyMedia is Classify's part for the media library's error types:
// too large 413, an unsupported type 415, other checks 422, in use and a
// wrong upload offset 409, an unknown item 404. nil: not one of them.
func classifyMedia(err error) *Error {
	var pr *media.Problem
	var tl *media.TooLargeError
	var iu *media.InUseError
	var fe *media.FetchError
	var oe *media.OffsetError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &tl):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Message: tl.Error(), MessageID: tl.MessageID(),
			Details: gin.H{"limit_bytes": tl.Limit}}
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(err, &pr):
		status := http.StatusUnprocessableEntity
		if pr.Code == "unsupported_type" || pr.Code == "heic" {
			status = http.StatusUnsupportedMediaType
		}
		field := "file"
		if pr.Field != "" && pr.Field != "type" {
			field = pr.Field
		}
		return &Error{Status: status, Code: pr.Code, Message: pr.Message, MessageID: pr.MessageID,
			Fields: []valid.FieldError{{Field: field, Message: pr.Message, MessageID: pr.MessageID}}}
	case errors.As(err, &iu):
		return &Error{Status: http.StatusConflict, Code: "media_in_use", Message: iu.Error(), MessageID: iu.MessageID(),
			Details: gin.H{"posts": iu.Posts}}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "url_not_fetched", Message: fe.Error(), MessageID: fe.MessageID(),
			Fields: []valid.FieldError{{Field: "url", Message: fe.Error(), MessageID: fe.MessageID()}}}
	case errors.As(err, &oe):
		return &Error{Status: http.StatusConflict, Code: "wrong_offset", Message: oe.Error(), MessageID: oe.MessageID(),
			Details: gin.H{"expected_offset": oe.Expected}}
	case errors.Is(err, media.ErrNotFound):
		e := NotFound("no media item has this id")
		e.MessageID = "tidak ada media dengan id ini"
		return e
	}
	return nil
}

func (d MediaDeps) unit(c *gin.Context, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	return d.Units.resolveUnit(c, ref, "unit")
}

func (d MediaDeps) list(c *gin.Context) (any, error) {
	f := media.Filter{Kind: c.Query("kind")}
	var bad valid.Errors
	if f.Kind != "" && f.Kind != media.KindImage && f.Kind != media.KindVideo {
		bad.Add("kind", "kind is image or video", "kind berisi image atau video")
	}
	for _, q := range []struct {
		name string
		dst  *int64
	}{{"before", &f.Before}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(q.name, "%s is a media id", "%s berisi id media", q.name)
			}
			*q.dst = n
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad.Add("limit", "limit is 1 to 500", "limit berisi 1 sampai 500")
		}
		f.Limit = n
	}
	if len(bad) > 0 {
		return nil, Unprocessable(bad)
	}
	id, err := d.unit(c, c.Query("unit"))
	if err != nil {
		return nil, err
	}
	f.UnitID = id
	items, err := d.Library.List(c.Request.Context(), Principal(c), f)
	if err != nil {
		return nil, MapMediaErr(err)
	}
	return gin.H{"media": items}, nil
}

func (d MediaDeps) get(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	it, err := d.Library.Get(c.Request.Context(), Principal(c), id)
	if err != nil {
		return nil, MapMediaErr(err)
	}
	return it, nil
}

func (d MediaDeps) delete(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	if err := d.Library.Delete(c.Request.Context(), Principal(c), id); err != nil {
		return nil, MapMediaErr(err)
	}
	return nil, nil
}

type cropRequest struct {
	Ratio string `json:"ratio"`
}

func (d MediaDeps) crop(c *gin.Context) (any, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	var r cropRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	it, err := d.Library.Crop(c.Request.Context(), Principal(c), id, r.Ratio)
	if err != nil {
		return nil, MapMediaErr(err)
	}
	return Status{Code: http.StatusCreated, Body: it}, nil
}

type importRequest struct {
	URL  string `json:"url"`
	Unit string `json:"unit"`
}

// upload takes one file as multipart/form-data (field "file", streamed
// to disk as it arrives; ?unit= names the unit), or JSON {"url": ...}: a
// public http(s) URL humas downloads itself.
func (d MediaDeps) upload(c *gin.Context) (any, error) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "multipart/form-data" {
		var r importRequest
		if err := bindJSON(c, &r); err != nil {
			return nil, err
		}
		if strings.TrimSpace(r.URL) == "" {
			return nil, Unprocessable(valid.Errors{{Field: "url", Message: "give the URL of an image or video, or send the file as multipart/form-data (field file)",
				MessageID: "isi URL gambar atau video, atau kirim berkasnya sebagai multipart/form-data (field file)"}})
		}
		unit, err := d.unit(c, r.Unit)
		if err != nil {
			return nil, err
		}
		it, err := d.Library.Import(c.Request.Context(), Principal(c), unit, strings.TrimSpace(r.URL))
		if err != nil {
			return nil, MapMediaErr(err)
		}
		return Status{Code: http.StatusCreated, Body: it}, nil
	}
	ExtendDeadlines(c, d.UploadTimeout)
	unit, err := d.unit(c, c.Query("unit"))
	if err != nil {
		return nil, err
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, BadRequest("bad_multipart", "the body is not multipart/form-data: "+err.Error())
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, MapMediaErr(readErr(err))
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		it, err := d.Library.Upload(c.Request.Context(), Principal(c), unit, part.FileName(), part)
		part.Close()
		if err != nil {
			return nil, MapMediaErr(readErr(err))
		}
		return Status{Code: http.StatusCreated, Body: it}, nil
	}
	return nil, Unprocessable(valid.Errors{{Field: "file", Message: "the multipart body has no field named file",
		MessageID: "isi multipart tidak memiliki field bernama file"}})
}

// readErr keeps a body-limit error recognisable.
func readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe
	}
	return err
}

type startUploadRequest struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size_bytes"`
	Unit     string `json:"unit"`
}

type uploadView struct {
	Upload    media.Upload `json:"upload"`
	UploadURL string       `json:"upload_url"`
	Media     *media.Item  `json:"media,omitempty"`
}

func (d MediaDeps) startUpload(c *gin.Context) (any, error) {
	var r startUploadRequest
	if err := bindJSON(c, &r); err != nil {
		return nil, err
	}
	unit, err := d.unit(c, r.Unit)
	if err != nil {
		return nil, err
	}
	up, err := d.Library.StartUpload(c.Request.Context(), Principal(c), unit, r.Filename, r.Size)
	if err != nil {
		return nil, MapMediaErr(err)
	}
	return Status{Code: http.StatusCreated, Body: uploadView{Upload: up, UploadURL: c.FullPath() + "/" + up.ID}}, nil
}

func (d MediaDeps) uploadStatus(c *gin.Context) (any, error) {
	up, err := d.Library.UploadStatus(c.Request.Context(), Principal(c), c.Param("upload"))
	if err != nil {
		return nil, MapMediaErr(err)
	}
	return uploadView{Upload: up, UploadURL: strings.TrimSuffix(c.Request.URL.Path, "/")}, nil
}

var contentRangeRE = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+|\*)$`)

// ChunkOffset reads where a chunk starts: the Upload-Offset header, or
// Content-Range "bytes first-last/total".
func ChunkOffset(h http.Header) (int64, error) {
	if v := h.Get("Upload-Offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("Upload-Offset must be a byte offset, not %q", v)
		}
		return n, nil
	}
	if v := h.Get("Content-Range"); v != "" {
		m := contentRangeRE.FindStringSubmatch(v)
		if m == nil {
			return 0, fmt.Errorf("Content-Range must read \"bytes first-last/total\", not %q", v)
		}
		return strconv.ParseInt(m[1], 10, 64)
	}
	return 0, errors.New("say where the chunk starts: an Upload-Offset header (or Content-Range: bytes first-last/total)")
}

// writeChunk appends a chunk (the raw body) at its offset; the last one
// finishes the upload (201 with the stored media).
func (d MediaDeps) writeChunk(c *gin.Context) (any, error) {
	ExtendDeadlines(c, d.UploadTimeout)
	off, err := ChunkOffset(c.Request.Header)
	if err != nil {
		return nil, BadRequest("bad_offset", err.Error())
	}
	up, it, err := d.Library.WriteChunk(c.Request.Context(), Principal(c), c.Param("upload"), off, c.Request.Body)
	if err != nil {
		return nil, MapMediaErr(readErr(err))
	}
	v := uploadView{Upload: up, UploadURL: c.Request.URL.Path, Media: it}
	if it != nil {
		return Status{Code: http.StatusCreated, Body: v}, nil
	}
	return v, nil
}
