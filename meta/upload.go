package meta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// File is media sent as bytes: a Page photo or video uploaded as the
// multipart `source` field (so Facebook needs no public URL), or a Reel's
// upload body. Open is called once per HTTP attempt and streams the bytes:
// a file of hundreds of megabytes is never held in memory.
type File struct {
	Name        string // file name sent with the part (e.g. "foto.jpg")
	ContentType string // image/jpeg, video/mp4, ...
	Size        int64
	Open        func(ctx context.Context) (io.ReadCloser, error)
}

// DefaultUploadTimeout bounds one call that sends a file (Options.UploadTimeout).
const DefaultUploadTimeout = 30 * time.Minute

// uploadBody builds the request body of a file upload: multipart with
// params and the file as field (its length known, so no chunked
// encoding), or the raw bytes (raw: a Reel's rupload).
func uploadBody(ctx context.Context, q url.Values, field string, f *File, raw bool) (body io.ReadCloser, contentType string, length int64, err error) {
	if f == nil || f.Open == nil {
		return nil, "", 0, errors.New("meta: no file to upload")
	}
	rc, err := f.Open(ctx)
	if err != nil {
		return nil, "", 0, fmt.Errorf("meta: open %s: %w", f.Name, err)
	}
	if raw {
		return rc, "application/octet-stream", f.Size, nil
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			if err := mw.WriteField(k, v); err != nil {
				rc.Close()
				return nil, "", 0, err
			}
		}
	}
	h := textproto.MIMEHeader{}
	name := strings.NewReplacer(`"`, "", "\r", "", "\n", "", `\`, "").Replace(f.Name)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	if _, err := mw.CreatePart(h); err != nil {
		rc.Close()
		return nil, "", 0, err
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	length = int64(head.Len()) + f.Size + int64(len(tail))
	r := io.MultiReader(&head, io.LimitReader(rc, f.Size), strings.NewReader(tail))
	return readCloser{Reader: r, c: rc}, mw.FormDataContentType(), length, nil
}

type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// UploadPagePhotoFile uploads an unpublished photo from bytes (for a
// multi-photo post) and returns its id.
func (c *Client) UploadPagePhotoFile(ctx context.Context, token, pageID string, f *File) (string, error) {
	v := url.Values{"published": {"false"}}
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: "page_photos_upload", method: http.MethodPost, path: pageID + "/photos", params: v,
		token: token, file: f, fileField: "source"}, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", errors.New("meta: page_photos_upload: answer without id")
	}
	return a.ID, nil
}

// UploadReelFile sends a Reel's bytes to its upload URL (rupload:
// Authorization: OAuth, offset 0, file_size) instead of having Meta fetch
// a public URL. Sending it again restarts the upload: harmless.
func (c *Client) UploadReelFile(ctx context.Context, token string, up ReelUpload, f *File) error {
	req := request{endpoint: "reel_upload", method: http.MethodPost, rawURL: up.UploadURL, token: token, tokenHeader: true,
		header: http.Header{"Offset": {"0"}, "File_size": {strconv.FormatInt(f.Size, 10)}}, file: f, rawFile: true}
	var a struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, req, &a); err != nil {
		return err
	}
	if !a.Success {
		return errors.New("meta: reel_upload: Meta did not confirm the upload")
	}
	return nil
}
