package media

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
)

// Resumable uploads, for videos of hundreds of megabytes over an office's
// connection: start one (its size and name), then PUT chunks at their
// offsets; a chunk cut off keeps what arrived, and the client asks the
// offset and goes on from there. The last byte finishes it: the file is
// checked, converted and stored like any upload.

// Upload is an upload in progress (or finished: MediaID set).
type Upload struct {
	ID       string    `json:"id"`
	UnitID   int64     `json:"unit_id"`
	Filename string    `json:"filename"`
	Size     int64     `json:"size_bytes"`
	Received int64     `json:"offset"`
	MediaID  int64     `json:"media_id,omitempty"`
	Created  time.Time `json:"created_at"`
	userID   int64
}

// OffsetError is a chunk sent at the wrong offset (HTTP 409): Expected is
// where the upload stands; send from there.
type OffsetError struct{ Given, Expected int64 }

func (e *OffsetError) Error() string {
	return fmt.Sprintf("the chunk starts at byte %d but the upload has %d bytes: send from byte %d", e.Given, e.Expected, e.Expected)
}

// MessageID is the error in Bahasa Indonesia.
func (e *OffsetError) MessageID() string {
	return fmt.Sprintf("potongan dimulai di byte %d tetapi unggahan sudah berisi %d byte: kirim mulai byte %d", e.Given, e.Expected, e.Expected)
}

const (
	qUploadInsert = `INSERT INTO media_uploads (id, unit_id, user_id, filename, size, received, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`
	qUpload       = `SELECT id, unit_id, COALESCE(user_id, 0), filename, size, received, COALESCE(media_id, 0), created_at FROM media_uploads WHERE id = ?`
	qUploadMoved  = `UPDATE media_uploads SET received = ?, updated_at = ? WHERE id = ?`
	qUploadDone   = `UPDATE media_uploads SET media_id = ?, updated_at = ? WHERE id = ?`
	qUploadsStale = `SELECT id FROM media_uploads WHERE updated_at < ?`
	qUploadDelete = `DELETE FROM media_uploads WHERE id = ?`
)

// StartUpload opens a resumable upload of size bytes named filename in
// unit unitID (0: p's unit).
func (l *Library) StartUpload(ctx context.Context, p auth.Principal, unitID int64, filename string, size int64) (Upload, error) {
	if unitID == 0 {
		unitID = p.UnitID
	}
	if err := l.rules.CheckWriteUnit(ctx, p, unitID); err != nil {
		return Upload{}, err
	}
	if size > l.opt.MaxUploadBytes {
		return Upload{}, &TooLargeError{Limit: l.opt.MaxUploadBytes}
	}
	if size <= 0 {
		return Upload{}, &Problem{Severity: SevError, Field: "size_bytes", Code: "empty", Message: "give the file's size in bytes (more than 0)",
			MessageID: "isi ukuran berkas dalam byte (lebih dari 0)"}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	up := Upload{ID: hex.EncodeToString(b[:]), UnitID: unitID, Filename: cleanName(filename), Size: size, Created: l.opt.Now().UTC(), userID: p.UserID}
	f, err := os.OpenFile(l.partPath(up.ID), os.O_CREATE|os.O_EXCL|os.O_WRONLY, store.PrivateFileMode)
	if err != nil {
		return Upload{}, err
	}
	f.Close()
	now := store.FormatTime(up.Created)
	if _, err := l.db.DB.ExecContext(ctx, qUploadInsert, up.ID, unitID, p.UserID, up.Filename, size, now, now); err != nil {
		os.Remove(l.partPath(up.ID))
		return Upload{}, fmt.Errorf("media: start upload: %w", err)
	}
	return up, nil
}

func (l *Library) partPath(id string) string { return l.tempPath("upload-" + id + ".part") }

func (l *Library) loadUpload(ctx context.Context, p auth.Principal, id string) (Upload, error) {
	var up Upload
	var created string
	err := l.db.DB.QueryRowContext(ctx, qUpload, id).Scan(&up.ID, &up.UnitID, &up.userID, &up.Filename, &up.Size, &up.Received, &up.MediaID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, fmt.Errorf("upload %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("upload %s: %w", id, err)
	}
	up.Created, _ = store.ParseTime(created)
	// Only its uploader (or an admin) continues an upload.
	if up.userID != p.UserID && p.Role != auth.RoleAdmin {
		return Upload{}, fmt.Errorf("upload %s: %w", id, ErrNotFound)
	}
	return up, nil
}

// UploadStatus says how far an upload got.
func (l *Library) UploadStatus(ctx context.Context, p auth.Principal, id string) (Upload, error) {
	return l.loadUpload(ctx, p, id)
}

func (l *Library) lock(id string) func() {
	m, _ := l.locks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// WriteChunk appends the bytes of r at offset (which must be where the
// upload stands). Bytes that arrive before a cut-off are kept. When the
// last byte arrives the file is stored and its item returned.
func (l *Library) WriteChunk(ctx context.Context, p auth.Principal, id string, offset int64, r io.Reader) (Upload, *Item, error) {
	unlock := l.lock(id)
	defer unlock()
	up, err := l.loadUpload(ctx, p, id)
	if err != nil {
		return Upload{}, nil, err
	}
	if up.MediaID != 0 {
		it, err := l.Get(ctx, p, up.MediaID)
		return up, &it, err
	}
	if offset != up.Received {
		return up, nil, &OffsetError{Given: offset, Expected: up.Received}
	}
	f, err := os.OpenFile(l.partPath(id), os.O_WRONLY, store.PrivateFileMode)
	if err != nil {
		return up, nil, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return up, nil, err
	}
	left := up.Size - offset
	n, cerr := io.Copy(f, ctxReader{ctx, io.LimitReader(r, left+1)})
	if n > left {
		n = left
		cerr = &TooLargeError{Limit: up.Size}
	}
	// Nothing beyond what is recorded stays in the file.
	if err := f.Truncate(offset + n); err != nil && cerr == nil {
		cerr = err
	}
	if err := f.Close(); err != nil && cerr == nil {
		cerr = err
	}
	up.Received = offset + n
	if _, err := l.db.DB.ExecContext(context.WithoutCancel(ctx), qUploadMoved, up.Received, store.FormatTime(l.opt.Now()), id); err != nil {
		return up, nil, fmt.Errorf("media: upload %s: %w", id, err)
	}
	if cerr != nil {
		var tl *TooLargeError
		if errors.As(cerr, &tl) {
			return up, nil, &Problem{Severity: SevError, Field: "file", Code: "too_many_bytes",
				Message:   fmt.Sprintf("more bytes arrived than the %d announced at the start", up.Size),
				MessageID: fmt.Sprintf("byte yang tiba melebihi %d yang disebutkan di awal", up.Size)}
		}
		return up, nil, fmt.Errorf("media: upload %s cut off at %d bytes: %w", id, up.Received, cerr)
	}
	if up.Received < up.Size {
		return up, nil, nil
	}
	sum, err := fileSHA256(l.partPath(id))
	if err != nil {
		return up, nil, err
	}
	it, err := l.ingest(ctx, p, up.UnitID, up.Filename, l.partPath(id), up.Size, sum, "")
	if err != nil {
		// The bytes are all there but unusable: the upload ends here.
		l.dropUpload(context.WithoutCancel(ctx), id)
		return up, nil, err
	}
	up.MediaID = it.ID
	if _, err := l.db.DB.ExecContext(ctx, qUploadDone, it.ID, store.FormatTime(l.opt.Now()), id); err != nil {
		return up, nil, err
	}
	os.Remove(l.partPath(id))
	l.locks.Delete(id)
	return up, &it, nil
}

func (l *Library) dropUpload(ctx context.Context, id string) {
	os.Remove(l.partPath(id))
	l.locks.Delete(id)
	if _, err := l.db.DB.ExecContext(ctx, qUploadDelete, id); err != nil {
		l.log.WarnContext(ctx, "drop upload", "upload_id", id, "err", err)
	}
}
