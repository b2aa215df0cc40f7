package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Store reads and writes units and channels in the state database.
type Store struct {
	db        *store.SQLite
	seal      *sealer
	keyErr    error
	defaultTZ string
	now       func() time.Time
}

// NewStore returns a store. key is the 32-byte AES-256 key that encrypts
// channel tokens; with a nil key the store refuses to store or read tokens
// (ErrNoKey), and everything else works.
func NewStore(db *store.SQLite, key []byte) *Store {
	s, err := newSealer(key)
	return &Store{db: db, seal: s, keyErr: err, defaultTZ: "Asia/Jakarta", now: time.Now}
}

// WithDefaultTimezone sets the time zone of units created without one
// (config timezone; default Asia/Jakarta).
func (s *Store) WithDefaultTimezone(tz string) *Store {
	if tz != "" {
		s.defaultTZ = tz
	}
	return s
}

// HasKey reports whether tokens can be stored and read.
func (s *Store) HasKey() bool { return s.seal != nil && s.keyErr == nil }

const (
	qUnitCols   = `id, COALESCE(parent_id, 0), name, slug, level, timezone, requires_approval, classification_by, allow_hourly, require_2fa`
	qUnits      = `SELECT ` + qUnitCols + ` FROM units ORDER BY id`
	qUnit       = `SELECT ` + qUnitCols + ` FROM units WHERE id = ?`
	qUnitBySlug = `SELECT ` + qUnitCols + ` FROM units WHERE slug = ?`
	qUnitInsert = `INSERT INTO units (parent_id, name, slug, level, timezone, requires_approval, classification_by, allow_hourly, require_2fa, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUnitUpdate = `UPDATE units SET name = ?, requires_approval = ?, classification_by = ?, allow_hourly = ?, timezone = ?, parent_id = ?, require_2fa = ? WHERE id = ?`
	// Whether the unit or one above it requires two-factor sign-in.
	qRequires2FA = `WITH RECURSIVE a(id, parent_id, req) AS (
    SELECT id, parent_id, require_2fa FROM units WHERE id = ?
    UNION
    SELECT u.id, u.parent_id, u.require_2fa FROM units u JOIN a ON u.id = a.parent_id
)
SELECT COALESCE(MAX(req), 0) FROM a`
	// The unit and every unit below it.
	qDescendants = `WITH RECURSIVE d(id) AS (
    SELECT id FROM units WHERE id = ?
    UNION
    SELECT u.id FROM units u JOIN d ON u.parent_id = d.id
)
SELECT id FROM d ORDER BY id`
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// CreateUnit validates and inserts u (ID is ignored) and returns it with its
// id. An empty Level is "other"; an empty Timezone the default; a new unit
// requires approval unless the caller says otherwise.
func (s *Store) CreateUnit(ctx context.Context, u Unit) (Unit, error) {
	u.Name = strings.TrimSpace(u.Name)
	u.Slug = strings.TrimSpace(u.Slug)
	if u.Level == "" {
		u.Level = "other"
	}
	if u.Timezone == "" {
		u.Timezone = s.defaultTZ
	}
	if u.ClassificationBy == "" {
		u.ClassificationBy = ClassifiedByEditor
	}
	var errs ValidationError
	checkUnitName(&errs, u.Name)
	checkClassificationBy(&errs, u.ClassificationBy)
	if len(u.Slug) > MaxSlugLen {
		errs.Add("slug", "a slug has at most %d characters", "slug paling banyak %d karakter", MaxSlugLen)
	} else if !slugRE.MatchString(u.Slug) {
		errs.Add("slug", "%q is not a slug: use lower-case letters, digits and single dashes, e.g. kpu-kota-salatiga",
			"%q bukan slug: gunakan huruf kecil, angka dan tanda hubung, mis. kpu-kota-salatiga", u.Slug)
	}
	if !slices.Contains(Levels, u.Level) {
		errs.Add("level", "%q is not one of national, province, city, other",
			"%q bukan salah satu dari national, province, city, other", u.Level)
	}
	checkTimezone(&errs, u.Timezone)
	var parent any
	if u.ParentID != 0 {
		parent = u.ParentID
		if _, err := s.Unit(ctx, u.ParentID); errors.Is(err, ErrNotFound) {
			errs.Add("parent_id", "no unit has id %d", "tidak ada unit dengan id %d", u.ParentID)
		} else if err != nil {
			return Unit{}, err
		}
	}
	if len(errs) > 0 {
		return Unit{}, errs
	}
	now := s.now()
	err := s.inTx(ctx, "create unit", func(tx *sql.Tx) error {
		var err error
		u.ID, err = store.InsertID(ctx, tx, qUnitInsert, parent, u.Name, u.Slug, u.Level, u.Timezone, u.RequiresApproval,
			u.ClassificationBy, u.AllowHourly, u.Require2FA, store.FormatTime(now))
		if err != nil {
			if isUnique(err) {
				return &ConflictError{Msg: fmt.Sprintf("a unit with slug %q exists already", u.Slug)}
			}
			return err
		}
		return s.audit(ctx, tx, now, entityUnit, u.ID, "create", "", "", map[string]any{"name": u.Name, "slug": u.Slug,
			"parent_id": u.ParentID, "level": u.Level, "timezone": u.Timezone, "requires_approval": u.RequiresApproval,
			"classification_by": u.ClassificationBy, "allow_hourly_recurrence": u.AllowHourly, "require_2fa": u.Require2FA})
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

// UpdateUnit changes a unit's name and settings (who classifies, whether
// approval is needed, whether posts may recur hourly), with an audit line
// of each changed setting before and after.
func (s *Store) UpdateUnit(ctx context.Context, id int64, p UnitPatch) (Unit, error) {
	before, err := s.Unit(ctx, id)
	if err != nil {
		return Unit{}, err
	}
	u := before
	var errs ValidationError
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
		checkUnitName(&errs, u.Name)
	}
	if p.ClassificationBy != nil {
		u.ClassificationBy = *p.ClassificationBy
		checkClassificationBy(&errs, u.ClassificationBy)
	}
	if p.RequiresApproval != nil {
		u.RequiresApproval = *p.RequiresApproval
	}
	if p.AllowHourly != nil {
		u.AllowHourly = *p.AllowHourly
	}
	if p.Timezone != nil {
		u.Timezone = strings.TrimSpace(*p.Timezone)
		checkTimezone(&errs, u.Timezone)
	}
	if p.Require2FA != nil {
		u.Require2FA = *p.Require2FA
	}
	if p.ParentID != nil && *p.ParentID != before.ParentID {
		u.ParentID = *p.ParentID
		if u.ParentID != 0 {
			below, err := s.Descendants(ctx, id)
			if err != nil {
				return Unit{}, err
			}
			if slices.Contains(below, u.ParentID) {
				errs.Add("parent_id", "a unit cannot move under itself or a unit below it", "unit tidak dapat dipindah ke bawah dirinya sendiri atau unit di bawahnya")
			} else if _, err := s.Unit(ctx, u.ParentID); errors.Is(err, ErrNotFound) {
				errs.Add("parent_id", "no unit has id %d", "tidak ada unit dengan id %d", u.ParentID)
			} else if err != nil {
				return Unit{}, err
			}
		}
	}
	if len(errs) > 0 {
		return Unit{}, errs
	}
	changes := map[string]any{}
	diff := func(k string, a, b any) {
		if a != b {
			changes[k] = map[string]any{"before": a, "after": b}
		}
	}
	diff("name", before.Name, u.Name)
	diff("classification_by", before.ClassificationBy, u.ClassificationBy)
	diff("requires_approval", before.RequiresApproval, u.RequiresApproval)
	diff("allow_hourly_recurrence", before.AllowHourly, u.AllowHourly)
	diff("timezone", before.Timezone, u.Timezone)
	diff("parent_id", before.ParentID, u.ParentID)
	diff("require_2fa", before.Require2FA, u.Require2FA)
	if len(changes) == 0 {
		return u, nil
	}
	var parent any
	if u.ParentID != 0 {
		parent = u.ParentID
	}
	action := "update"
	if _, moved := changes["parent_id"]; moved && len(changes) == 1 {
		action = "move"
	}
	now := s.now()
	err = s.inTx(ctx, "update unit", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qUnitUpdate, u.Name, u.RequiresApproval, u.ClassificationBy, u.AllowHourly,
			u.Timezone, parent, u.Require2FA, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, now, entityUnit, id, action, "", "", changes)
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

func checkUnitName(errs *ValidationError, name string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.Add("name", "a unit needs a name", "unit harus punya nama")
	case n > MaxNameRunes:
		errs.Add("name", "a unit name has at most %d characters; this one has %d", "nama unit paling banyak %d karakter; ini %d karakter", MaxNameRunes, n)
	}
}

func checkTimezone(errs *ValidationError, tz string) {
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" || tz == "" {
		errs.Add("timezone", "%q is not an IANA time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
			"%q bukan zona waktu IANA (mis. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)", tz)
	}
}

// Requires2FA reports whether the unit or a unit above it requires
// two-factor sign-in of its admins, approvers and PPID officers.
func (s *Store) Requires2FA(ctx context.Context, unitID int64) (bool, error) {
	var req bool
	if err := s.db.DB.QueryRowContext(ctx, qRequires2FA, unitID).Scan(&req); err != nil {
		return false, fmt.Errorf("unit %d two-factor rule: %w", unitID, err)
	}
	return req, nil
}

// InSubtree reports whether unit is top or a unit below it.
func (s *Store) InSubtree(ctx context.Context, top, unit int64) (bool, error) {
	ids, err := s.Descendants(ctx, top)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, unit), nil
}

func checkClassificationBy(errs *ValidationError, v string) {
	if v != ClassifiedByEditor && v != ClassifiedByPPID {
		errs.Add("classification_by", "%q is not editor or ppid", "%q bukan editor atau ppid", v)
	}
}

// Units lists every unit, by id.
func (s *Store) Units(ctx context.Context) ([]Unit, error) {
	rows, err := s.db.DB.QueryContext(ctx, qUnits)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Unit returns one unit, or ErrNotFound.
func (s *Store) Unit(ctx context.Context, id int64) (Unit, error) {
	u, err := scanUnit(s.db.DB.QueryRowContext(ctx, qUnit, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, unitNotFound(id)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("unit %d: %w", id, err)
	}
	return u, nil
}

// UnitBySlug returns the unit with that slug, or ErrNotFound.
func (s *Store) UnitBySlug(ctx context.Context, slug string) (Unit, error) {
	u, err := scanUnit(s.db.DB.QueryRowContext(ctx, qUnitBySlug, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, valid.NotFound("unit %q does not exist", "unit %q tidak ada", slug)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("unit %q: %w", slug, err)
	}
	return u, nil
}

// Descendants returns the unit and every unit below it (ErrNotFound when
// the unit does not exist).
func (s *Store) Descendants(ctx context.Context, unitID int64) ([]int64, error) {
	rows, err := s.db.DB.QueryContext(ctx, qDescendants, unitID)
	if err != nil {
		return nil, fmt.Errorf("units below %d: %w", unitID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("units below %d: %w", unitID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("units below %d: %w", unitID, err)
	}
	if len(ids) == 0 {
		return nil, unitNotFound(unitID)
	}
	return ids, nil
}

// Ancestors returns the unit and every unit above it, the unit first.
func Ancestors(units []Unit, id int64) []int64 {
	parent := make(map[int64]int64, len(units))
	for _, u := range units {
		parent[u.ID] = u.ParentID
	}
	var out []int64
	seen := map[int64]bool{}
	for cur := id; cur != 0 && !seen[cur]; cur = parent[cur] {
		seen[cur] = true
		out = append(out, cur)
	}
	return out
}

type scanner interface{ Scan(dest ...any) error }

func scanUnit(r scanner) (Unit, error) {
	var u Unit
	err := r.Scan(&u.ID, &u.ParentID, &u.Name, &u.Slug, &u.Level, &u.Timezone, &u.RequiresApproval, &u.ClassificationBy, &u.AllowHourly, &u.Require2FA)
	return u, err
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
