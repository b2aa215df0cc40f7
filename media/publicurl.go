package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Public URLs: Instagram fetches media by URL, so humas serves each
// stored file at PublicURL/m/<token><ext>, where the token carries the
// media id and an expiry time, signed with HMAC-SHA256. It cannot be
// guessed, names nothing about the post, and stops working at its expiry.
// Facebook never needs one: its photos and videos are uploaded as bytes.

const tokenVersion = 1

// signToken is base64url(version, id, expiry, variant) + "." + base64url(mac).
func signToken(key []byte, id int64, exp time.Time, variant byte) string {
	var b [1 + 8 + 8 + 1]byte
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(id))
	binary.BigEndian.PutUint64(b[9:17], uint64(exp.Unix()))
	b[17] = variant
	m := hmac.New(sha256.New, key)
	m.Write(b[:])
	sum := m.Sum(nil)[:18]
	enc := base64.RawURLEncoding
	return enc.EncodeToString(b[:]) + "." + enc.EncodeToString(sum)
}

var errBadToken = errors.New("media: bad or expired link")

// parseToken checks a token's signature and expiry.
func parseToken(key []byte, tok string, now time.Time) (id int64, variant byte, err error) {
	if i := strings.IndexByte(tok, '.'); i > 0 {
		if j := strings.IndexByte(tok[i+1:], '.'); j >= 0 {
			tok = tok[:i+1+j] // drop the extension
		}
	}
	payload, mac, ok := strings.Cut(tok, ".")
	if !ok {
		return 0, 0, errBadToken
	}
	enc := base64.RawURLEncoding
	b, err1 := enc.DecodeString(payload)
	sum, err2 := enc.DecodeString(mac)
	if err1 != nil || err2 != nil || len(b) != 18 || b[0] != tokenVersion {
		return 0, 0, errBadToken
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	if !hmac.Equal(m.Sum(nil)[:18], sum) {
		return 0, 0, errBadToken
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(b[9:17])) {
		return 0, 0, errBadToken
	}
	return int64(binary.BigEndian.Uint64(b[1:9])), b[17], nil
}

// PublicURL is the address Meta fetches item id from, valid for the
// configured time: the object store's presigned URL (PresignPublic), or
// humas's own signed /m/ link under PublicURL.
func (l *Library) PublicURL(ctx context.Context, id int64) (string, error) {
	it, err := l.item(ctx, id)
	if err != nil {
		return "", err
	}
	if it.DeletedAt != nil {
		return "", fmt.Errorf("media %d was deleted: %w", id, ErrNotFound)
	}
	if l.opt.PresignPublic {
		u, err := l.opt.Blobs.PresignGet(ctx, it.storageKey, l.opt.URLTTL)
		if err != nil {
			return "", err
		}
		if u != "" {
			return u, nil
		}
	}
	if l.opt.PublicURL == "" {
		return "", ErrNoPublicURL
	}
	exp := l.opt.Now().Add(l.opt.URLTTL)
	return l.opt.PublicURL + "/m/" + signToken(l.opt.URLKey, id, exp, 'f') + Ext(it.MIME), nil
}

// ServePublic answers GET /m/<token>: the file, with ranges, to whoever
// holds a valid link (Meta's fetcher); 404 for anything else, saying
// nothing more.
func (l *Library) ServePublic(w http.ResponseWriter, r *http.Request, token string) {
	id, variant, err := parseToken(l.opt.URLKey, token, l.opt.Now())
	if err != nil || variant != 'f' {
		http.NotFound(w, r)
		return
	}
	obj, it, err := l.Open(r.Context(), id)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			l.log.WarnContext(r.Context(), "serve public media", "media_id", id, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	defer obj.Close()
	ServeObject(w, r, obj, it.MIME, "private, max-age=300")
}

// ServeObject writes a blob with its type, ranges and validators.
func ServeObject(w http.ResponseWriter, r *http.Request, obj Object, mime, cache string) {
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cache)
	h.Set("Content-Disposition", "inline")
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}
