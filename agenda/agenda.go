// Package agenda keeps each unit's events (election stages, national
// days, plenary meetings, deadlines, campaigns), inherited by the units
// below it: entered by hand or imported from iCalendar files (RFC 5545,
// ical.go). Posts are linked to the event they are about; the compose page
// suggests upcoming events without a post, and the report measures how
// timely posts were.
package agenda

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Event types.
var Types = []string{"election_stage", "national_day", "plenary", "deadline", "campaign"}

// Event is one agenda entry.
type Event struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	UID         string    `json:"uid"`
	Title       string    `json:"title"`
	Type        string    `json:"type"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	AllDay      bool      `json:"all_day"`
	Description string    `json:"description,omitempty"`
	Source      string    `json:"source"`
	Posts       []int64   `json:"post_ids"`
}

// Service keeps the agenda.
type Service struct {
	db  *store.SQLite
	org *org.Store
	loc *time.Location
	now func() time.Time
}

// New returns the agenda; floating times in imported files are read in loc.
func New(db *store.SQLite, orgs *org.Store, loc *time.Location, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, org: orgs, loc: loc, now: now}
}

// Input is an event entered by hand.
type Input struct {
	UnitID      int64
	Title       string
	Type        string
	Start, End  time.Time
	AllDay      bool
	Description string
}

func canWrite(p auth.Principal) error {
	if !slices.Contains([]auth.Role{auth.RoleEditor, auth.RoleApprover, auth.RoleAdmin, auth.RolePPID}, p.Role) {
		return valid.Forbidden("the agenda is kept by editors, approvers, PPID officers and admins; you are %s",
			"agenda diisi oleh editor, approver, PPID dan admin; peran Anda %s", string(p.Role))
	}
	return nil
}

func (s *Service) inScope(ctx context.Context, p auth.Principal, unit int64) error {
	if p.Role == auth.RoleAdmin {
		return nil
	}
	ok, err := s.org.InSubtree(ctx, p.UnitID, unit)
	if err != nil {
		return err
	}
	if !ok {
		return valid.Forbidden("unit %d is outside your unit", "unit %d di luar unit Anda", unit)
	}
	return nil
}

func check(in Input) valid.Errors {
	var e valid.Errors
	if t := strings.TrimSpace(in.Title); t == "" || utf8.RuneCountInString(t) > 300 {
		e.Add("title", "give the event a title (at most 300 characters)", "beri judul kegiatan (paling banyak 300 karakter)")
	}
	if !slices.Contains(Types, in.Type) {
		e.Add("type", "type must be one of %s", "jenis harus salah satu dari %s", strings.Join(Types, ", "))
	}
	if in.Start.IsZero() {
		e.Add("start", "give the start", "isi waktu mulai")
	} else if !in.End.IsZero() && in.End.Before(in.Start) {
		e.Add("end", "the end is before the start", "waktu selesai sebelum waktu mulai")
	}
	return e
}

// Create adds an event by hand to a unit the caller reaches.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Event, error) {
	if err := canWrite(p); err != nil {
		return Event{}, err
	}
	if in.UnitID == 0 {
		in.UnitID = p.UnitID
	}
	if err := s.inScope(ctx, p, in.UnitID); err != nil {
		return Event{}, err
	}
	if e := check(in); len(e) > 0 {
		return Event{}, e
	}
	if in.End.IsZero() {
		in.End = in.Start
		if in.AllDay {
			in.End = in.Start.AddDate(0, 0, 1)
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	id, _, err := s.upsert(ctx, p, in, "manual-"+hex.EncodeToString(b[:])+"@humas", "manual")
	if err != nil {
		return Event{}, err
	}
	return s.get(ctx, id)
}

func (s *Service) upsert(ctx context.Context, p auth.Principal, in Input, uid, source string) (int64, bool, error) {
	var by any
	if p.UserID != 0 {
		by = p.UserID
	}
	var id int64
	err := s.db.DB.QueryRowContext(ctx, `SELECT id FROM events WHERE unit_id = ? AND uid = ?`, in.UnitID, uid).Scan(&id)
	switch {
	case err == nil:
		_, err = s.db.DB.ExecContext(ctx, `UPDATE events SET title = ?, type = ?, starts_at = ?, ends_at = ?, all_day = ?, description = ? WHERE id = ?`,
			strings.TrimSpace(in.Title), in.Type, store.FormatTime(in.Start), store.FormatTime(in.End), in.AllDay, in.Description, id)
		if err != nil {
			return 0, false, fmt.Errorf("update event %q: %w", in.Title, err)
		}
		return id, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, err
	}
	id, err = store.InsertID(ctx, s.db.DB, `INSERT INTO events (unit_id, uid, title, type, starts_at, ends_at, all_day, description, source, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.UnitID, uid, strings.TrimSpace(in.Title), in.Type, store.FormatTime(in.Start),
		store.FormatTime(in.End), in.AllDay, in.Description, source, by, store.FormatTime(s.now()))
	if err != nil {
		return 0, false, fmt.Errorf("save event %q: %w", in.Title, err)
	}
	return id, true, nil
}

// typeOf maps an imported event's CATEGORIES to a type (def when none matches).
func typeOf(cats []string, def string) string {
	for _, c := range cats {
		c = strings.ToLower(c)
		switch {
		case strings.Contains(c, "tahap") || strings.Contains(c, "election") || strings.Contains(c, "stage"):
			return "election_stage"
		case strings.Contains(c, "nasional") || strings.Contains(c, "national") || strings.Contains(c, "libur") || strings.Contains(c, "holiday"):
			return "national_day"
		case strings.Contains(c, "pleno") || strings.Contains(c, "plenary"):
			return "plenary"
		case strings.Contains(c, "batas") || strings.Contains(c, "deadline") || strings.Contains(c, "tenggat"):
			return "deadline"
		case strings.Contains(c, "kampanye") || strings.Contains(c, "campaign") || strings.Contains(c, "sosialisasi"):
			return "campaign"
		}
	}
	return def
}

// ImportResult says what an import did.
type ImportResult struct {
	Added, Updated int
	Events         []Event
}

// Import reads an iCalendar file into a unit's agenda: each VEVENT by its
// UID (a re-import updates, never duplicates), its type from CATEGORIES
// (else def, else election_stage, the usual import).
func (s *Service) Import(ctx context.Context, p auth.Principal, unitID int64, r io.Reader, def string) (ImportResult, error) {
	if err := canWrite(p); err != nil {
		return ImportResult{}, err
	}
	if unitID == 0 {
		unitID = p.UnitID
	}
	if err := s.inScope(ctx, p, unitID); err != nil {
		return ImportResult{}, err
	}
	if def == "" {
		def = "election_stage"
	}
	if !slices.Contains(Types, def) {
		return ImportResult{}, valid.Invalid("type", "type must be one of "+strings.Join(Types, ", "), "jenis harus salah satu dari "+strings.Join(Types, ", "))
	}
	evs, err := ParseICS(r, s.loc)
	if err != nil {
		return ImportResult{}, valid.Invalid("file", err.Error(), "berkas iCalendar tidak dapat dibaca: "+err.Error())
	}
	var out ImportResult
	for _, e := range evs {
		uid := e.UID
		if uid == "" {
			uid = fmt.Sprintf("%s-%d@import", e.Start.UTC().Format("20060102T150405"), len(e.Summary))
		}
		in := Input{UnitID: unitID, Title: e.Summary, Type: typeOf(e.Categories, def), Start: e.Start, End: e.End, AllDay: e.AllDay,
			Description: strings.TrimSpace(strings.Join([]string{e.Description, e.Location}, "\n"))}
		if utf8.RuneCountInString(in.Title) > 300 {
			in.Title = string([]rune(in.Title)[:300])
		}
		id, created, err := s.upsert(ctx, p, in, uid, "ics")
		if err != nil {
			return out, err
		}
		if created {
			out.Added++
		} else {
			out.Updated++
		}
		ev, err := s.get(ctx, id)
		if err != nil {
			return out, err
		}
		out.Events = append(out.Events, ev)
	}
	if err := auth.AppendAudit(ctx, s.db.DB, s.now(), auth.AuditRecord{Actor: p, Entity: "unit", EntityID: unitID, Action: "agenda_import",
		Detail: map[string]int{"added": out.Added, "updated": out.Updated}}); err != nil {
		return out, err
	}
	return out, nil
}

const qCols = `id, unit_id, uid, title, type, starts_at, ends_at, all_day, description, source`

func scan(r interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var start, end string
	if err := r.Scan(&e.ID, &e.UnitID, &e.UID, &e.Title, &e.Type, &start, &end, &e.AllDay, &e.Description, &e.Source); err != nil {
		return e, err
	}
	var err error
	if e.Start, err = store.ParseTime(start); err != nil {
		return e, err
	}
	e.End, err = store.ParseTime(end)
	e.Posts = []int64{}
	return e, err
}

func (s *Service) get(ctx context.Context, id int64) (Event, error) {
	e, err := scan(s.db.DB.QueryRowContext(ctx, `SELECT `+qCols+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, valid.NotFound("event %d does not exist", "kegiatan %d tidak ada", id)
	}
	if err != nil {
		return Event{}, err
	}
	list := []Event{e}
	return list[0], s.attachPosts(ctx, list)
}

// unitsFor are the units whose events a unit sees: itself and every unit above it.
func (s *Service) unitsFor(ctx context.Context, unit int64) ([]int64, error) {
	var out []int64
	for id := unit; id != 0 && len(out) < 32; {
		u, err := s.org.Unit(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u.ID)
		id = u.ParentID
	}
	return out, nil
}

// ForUnit lists the events a unit sees (its own and those of the units
// above it) that overlap [from, to), by start.
func (s *Service) ForUnit(ctx context.Context, unit int64, from, to time.Time) ([]Event, error) {
	q := `SELECT ` + qCols + ` FROM events WHERE starts_at < ? AND ends_at >= ?`
	args := []any{store.FormatTime(to), store.FormatTime(from)}
	if unit != 0 {
		units, err := s.unitsFor(ctx, unit)
		if err != nil {
			return nil, err
		}
		q += ` AND unit_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(units))
	}
	rows, err := s.db.DB.QueryContext(ctx, q+` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("agenda: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.attachPosts(ctx, out)
}

// ForReport lists the events overlapping [from, to) that a report of
// unit covers: the unit's own, its parents' and those of the units below
// it (every event for unit 0).
func (s *Service) ForReport(ctx context.Context, unit int64, from, to time.Time) ([]Event, error) {
	if unit == 0 {
		return s.ForUnit(ctx, 0, from, to)
	}
	up, err := s.unitsFor(ctx, unit)
	if err != nil {
		return nil, err
	}
	down, err := s.org.Descendants(ctx, unit)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT `+qCols+` FROM events WHERE starts_at < ? AND ends_at >= ?
  AND unit_id IN (SELECT value FROM json_each(?)) ORDER BY starts_at, id`, store.FormatTime(to), store.FormatTime(from), jsonInts(append(up, down...)))
	if err != nil {
		return nil, fmt.Errorf("agenda: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.attachPosts(ctx, out)
}

// List is ForUnit for a caller: the unit (0: the caller's) must be in reach.
func (s *Service) List(ctx context.Context, p auth.Principal, unit int64, from, to time.Time) ([]Event, error) {
	if unit == 0 {
		unit = p.UnitID
	}
	if err := s.inScope(ctx, p, unit); err != nil {
		return nil, err
	}
	return s.ForUnit(ctx, unit, from, to)
}

func (s *Service) attachPosts(ctx context.Context, list []Event) error {
	if len(list) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]int64, len(list))
	for i, e := range list {
		at[e.ID], ids[i] = i, e.ID
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT event_id, post_id FROM event_posts WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY post_id`, jsonInts(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ev, post int64
		if err := rows.Scan(&ev, &post); err != nil {
			return err
		}
		list[at[ev]].Posts = append(list[at[ev]].Posts, post)
	}
	return rows.Err()
}

// Link ties a post to the event it is about (eventID 0 unlinks it). The
// event must be one the post's unit sees.
func (s *Service) Link(ctx context.Context, p auth.Principal, postID, postUnit, eventID int64) error {
	if eventID == 0 {
		_, err := s.db.DB.ExecContext(ctx, `DELETE FROM event_posts WHERE post_id = ?`, postID)
		return err
	}
	e, err := s.get(ctx, eventID)
	if err != nil {
		return valid.Invalid("event_id", fmt.Sprintf("event %d does not exist", eventID), fmt.Sprintf("kegiatan %d tidak ada", eventID))
	}
	units, err := s.unitsFor(ctx, postUnit)
	if err != nil {
		return err
	}
	if !slices.Contains(units, e.UnitID) {
		return valid.Invalid("event_id", "the event is not in the agenda of the post's unit", "kegiatan itu tidak ada di agenda unit unggahan ini")
	}
	var by any
	if p.UserID != 0 {
		by = p.UserID
	}
	_, err = s.db.DB.ExecContext(ctx, `INSERT INTO event_posts (event_id, post_id, linked_by, linked_at) VALUES (?, ?, ?, ?)
ON CONFLICT (post_id) DO UPDATE SET event_id = excluded.event_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at`,
		eventID, postID, by, store.FormatTime(s.now()))
	return err
}

// EventOfPosts maps linked posts to their event.
func (s *Service) EventOfPosts(ctx context.Context, postIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(postIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.DB.QueryContext(ctx, `SELECT post_id, event_id FROM event_posts WHERE post_id IN (SELECT value FROM json_each(?))`, jsonInts(postIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, e int64
		if err := rows.Scan(&p, &e); err != nil {
			return nil, err
		}
		out[p] = e
	}
	return out, rows.Err()
}

// Suggest lists a unit's upcoming events (starting within days) that no
// post is linked to yet: what the compose page offers.
func (s *Service) Suggest(ctx context.Context, unit int64, days int) ([]Event, error) {
	now := s.now()
	list, err := s.ForUnit(ctx, unit, now, now.AddDate(0, 0, days))
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, e := range list {
		if len(e.Posts) == 0 && !e.End.Before(now) {
			out = append(out, e)
		}
	}
	return out, nil
}

func jsonInts(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
