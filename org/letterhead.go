package org

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"  // or PNG
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/store"
)

// Letterhead is an office's kop surat and the signature block under its
// reports.
type Letterhead struct {
	UnitID    int64  `json:"unit_id"`
	Address   string `json:"address"`
	Contact   string `json:"contact"`
	City      string `json:"city"`
	HeadTitle string `json:"head_title"`
	HeadName  string `json:"head_name"`
	HeadID    string `json:"head_id"`
	// LogoType is png or jpeg, empty without a logo; LogoSHA256 names the
	// version (for caching).
	LogoType   string    `json:"logo_type"`
	LogoSHA256 string    `json:"logo_sha256"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Limits of the letterhead's fields and logo.
const (
	MaxAddressLen   = 300
	MaxLineLen      = 200
	MaxLogoBytes    = 512 << 10
	MaxLogoPixels   = 4000
	logoFolder      = "logos"
	qLetterheadCols = `unit_id, address, contact, city, head_title, head_name, head_id, logo_file, logo_type, logo_sha256, updated_at`
	qLetterhead     = `SELECT ` + qLetterheadCols + ` FROM unit_letterheads WHERE unit_id = ?`
	qLetterheadPut  = `INSERT INTO unit_letterheads (unit_id, address, contact, city, head_title, head_name, head_id, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_id) DO UPDATE SET address = excluded.address, contact = excluded.contact, city = excluded.city,
    head_title = excluded.head_title, head_name = excluded.head_name, head_id = excluded.head_id,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`
	qLogoPut = `INSERT INTO unit_letterheads (unit_id, logo_file, logo_type, logo_sha256, updated_at, updated_by)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_id) DO UPDATE SET logo_file = excluded.logo_file, logo_type = excluded.logo_type,
    logo_sha256 = excluded.logo_sha256, updated_at = excluded.updated_at, updated_by = excluded.updated_by`
	entityLetterhead = "letterhead"
)

// filesDir is where the store keeps files beside the database.
func (s *Store) filesDir() string { return filepath.Dir(s.db.Path()) }

// Letterhead returns the unit's letterhead; a unit without one has an
// empty letterhead (not an error). A unit that does not exist is
// ErrNotFound.
func (s *Store) Letterhead(ctx context.Context, unitID int64) (Letterhead, error) {
	if _, err := s.Unit(ctx, unitID); err != nil {
		return Letterhead{}, err
	}
	lh, _, err := s.letterhead(ctx, unitID)
	return lh, err
}

func (s *Store) letterhead(ctx context.Context, unitID int64) (Letterhead, string, error) {
	lh := Letterhead{UnitID: unitID}
	var file, updated string
	err := s.db.DB.QueryRowContext(ctx, qLetterhead, unitID).Scan(&lh.UnitID, &lh.Address, &lh.Contact, &lh.City, &lh.HeadTitle,
		&lh.HeadName, &lh.HeadID, &file, &lh.LogoType, &lh.LogoSHA256, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return lh, "", nil
	}
	if err != nil {
		return lh, "", fmt.Errorf("read letterhead of unit %d: %w", unitID, err)
	}
	lh.UpdatedAt, _ = store.ParseTime(updated)
	return lh, file, nil
}

// SetLetterhead validates and stores the text of a unit's letterhead
// (the logo is SetLogo's), with an audit line.
func (s *Store) SetLetterhead(ctx context.Context, unitID int64, in Letterhead, actorID int64) (Letterhead, error) {
	if _, err := s.Unit(ctx, unitID); err != nil {
		return Letterhead{}, err
	}
	clean := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	in.Address = strings.TrimSpace(strings.ReplaceAll(in.Address, "\r\n", "\n"))
	in.Contact, in.City, in.HeadTitle, in.HeadName, in.HeadID = clean(in.Contact), clean(in.City), clean(in.HeadTitle),
		clean(in.HeadName), clean(in.HeadID)
	var errs ValidationError
	if utf8.RuneCountInString(in.Address) > MaxAddressLen {
		errs.Add("address", "the address has at most %d characters", "alamat paling banyak %d karakter", MaxAddressLen)
	}
	for field, v := range map[string]string{"contact": in.Contact, "city": in.City, "head_title": in.HeadTitle,
		"head_name": in.HeadName, "head_id": in.HeadID} {
		if utf8.RuneCountInString(v) > MaxLineLen {
			errs.Add(field, "at most %d characters", "paling banyak %d karakter", MaxLineLen)
		}
	}
	for field, v := range map[string]string{"address": in.Address, "contact": in.Contact, "city": in.City,
		"head_title": in.HeadTitle, "head_name": in.HeadName, "head_id": in.HeadID} {
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' }) {
			errs.Add(field, "control characters are not allowed", "karakter kendali tidak diperbolehkan")
		}
	}
	if len(errs) > 0 {
		return Letterhead{}, errs
	}
	now := s.now()
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	err := s.inTx(ctx, "set letterhead", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qLetterheadPut, unitID, in.Address, in.Contact, in.City, in.HeadTitle, in.HeadName,
			in.HeadID, store.FormatTime(now), actor); err != nil {
			return err
		}
		return s.audit(ctx, tx, now, entityLetterhead, unitID, "update", "", "", map[string]any{"address": in.Address,
			"contact": in.Contact, "city": in.City, "head_title": in.HeadTitle, "head_name": in.HeadName, "head_id": in.HeadID})
	})
	if err != nil {
		return Letterhead{}, err
	}
	return s.Letterhead(ctx, unitID)
}

// CheckLogo accepts a PNG or JPEG image of at most MaxLogoBytes and
// MaxLogoPixels on each side, judged by its content (not its name), and
// answers its type (png or jpeg).
func CheckLogo(data []byte) (string, error) {
	if len(data) == 0 {
		var errs ValidationError
		errs.Add("logo", "choose an image file", "pilih berkas gambar")
		return "", errs
	}
	if len(data) > MaxLogoBytes {
		var errs ValidationError
		errs.Add("logo", "the logo is %d KiB; at most %d KiB", "logo berukuran %d KiB; paling besar %d KiB",
			(len(data)+1023)/1024, MaxLogoBytes/1024)
		return "", errs
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "png" && format != "jpeg") {
		var errs ValidationError
		errs.Add("logo", "the logo must be a PNG or JPEG image", "logo harus berupa gambar PNG atau JPEG")
		return "", errs
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
		var errs ValidationError
		errs.Add("logo", "the logo is %d × %d pixels; at most %d on each side", "logo berukuran %d × %d piksel; paling besar %d per sisi",
			cfg.Width, cfg.Height, MaxLogoPixels)
		return "", errs
	}
	// A full decode catches a file whose header is an image but whose
	// body is not.
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		var errs ValidationError
		errs.Add("logo", "the image cannot be read: %v", "gambar tidak dapat dibaca: %v", err)
		return "", errs
	}
	return format, nil
}

// SetLogo checks and stores a unit's logo as a private file in the state
// folder (logos/unit-<id>.png or .jpg) and records it.
func (s *Store) SetLogo(ctx context.Context, unitID int64, data []byte, actorID int64) (Letterhead, error) {
	if _, err := s.Unit(ctx, unitID); err != nil {
		return Letterhead{}, err
	}
	typ, err := CheckLogo(data)
	if err != nil {
		return Letterhead{}, err
	}
	ext := map[string]string{"png": ".png", "jpeg": ".jpg"}[typ]
	name := fmt.Sprintf("unit-%d%s", unitID, ext)
	_, old, err := s.letterhead(ctx, unitID)
	if err != nil {
		return Letterhead{}, err
	}
	if err := store.WritePrivateFile(filepath.Join(s.filesDir(), logoFolder, name), data); err != nil {
		return Letterhead{}, fmt.Errorf("store logo of unit %d: %w", unitID, err)
	}
	sum := sha256.Sum256(data)
	now := s.now()
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	err = s.inTx(ctx, "set logo", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qLogoPut, unitID, name, typ, hex.EncodeToString(sum[:]), store.FormatTime(now), actor); err != nil {
			return err
		}
		return s.audit(ctx, tx, now, entityLetterhead, unitID, "logo", "", "", map[string]any{"type": typ, "bytes": len(data),
			"sha256": hex.EncodeToString(sum[:])})
	})
	if err != nil {
		return Letterhead{}, err
	}
	if old != "" && old != name {
		_ = os.Remove(filepath.Join(s.filesDir(), logoFolder, old))
	}
	return s.Letterhead(ctx, unitID)
}

// Logo reads a unit's logo and its type (png or jpeg); a unit without one
// is ErrNotFound.
func (s *Store) Logo(ctx context.Context, unitID int64) ([]byte, string, error) {
	lh, file, err := s.letterhead(ctx, unitID)
	if err != nil {
		return nil, "", err
	}
	if file == "" || strings.ContainsAny(file, `/\`) {
		return nil, "", ErrNotFound
	}
	b, err := os.ReadFile(filepath.Join(s.filesDir(), logoFolder, file))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("read logo of unit %d: %w", unitID, err)
	}
	return b, lh.LogoType, nil
}
