package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFieldMaxima: each free-text field a post carries has a maximum; an
// oversized one is 422 naming the field (English and Bahasa Indonesia),
// and nothing reaches the append-only audit log.
func TestFieldMaxima(t *testing.T) {
	o := newOffice(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = long(size)
		}
		return out
	}
	exempt := func(basis, reason string) map[string]any {
		return map[string]any{"level": "exempt", "legal_basis": basis, "reason": reason}
	}
	cases := []struct {
		name  string
		extra map[string]any
		field string
	}{
		{"campaign of 101", map[string]any{"campaign": long(101)}, "campaign"},
		{"31 tags", map[string]any{"tags": tags(31, 3)}, "tags"},
		{"a tag of 51", map[string]any{"tags": []string{"ok", long(51)}}, "tags[1]"},
		{"legal basis of 501", map[string]any{"submit": false, "classification": exempt(long(501), "uji")}, "classification.legal_basis"},
		{"consequence reason of 2001", map[string]any{"submit": false, "classification": exempt("UU 14/2008 pasal 17", long(2001))}, "classification.reason"},
		{"Facebook caption of 63207", map[string]any{"caption": long(63207)}, "caption"},
		{"link of 2049", map[string]any{"content_type": "link", "link": "https://kpu.go.id/" + long(2031)}, "link"},
		{"recurrence spec of 101", map[string]any{"recurrence": long(101)}, "recurrence"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := o.auditRows()
			r := o.post("Batas isian", tc.extra).must(t, http.StatusUnprocessableEntity)
			if f := r.fields(t); !slices.Contains(f, tc.field) {
				t.Errorf("fields %v, want %s", f, tc.field)
			}
			if after := o.auditRows(); after != before {
				t.Errorf("%d audit rows written by a refused request", after-before)
			}
		})
	}
	// At the maxima everything is accepted.
	o.post("Batas isian", map[string]any{"campaign": long(100), "tags": tags(30, 50)}).must(t, http.StatusCreated)

	// Reasons of reject and cancel (and approve), and edits.
	id := o.submitted("Alasan")
	before := o.auditRows()
	for _, path := range []string{"/reject", "/approve"} {
		r := o.call("approver.salatiga", "POST", postPath(id, path), map[string]any{"version": 1, "reason": long(1001)}).must(t, http.StatusUnprocessableEntity)
		if f := r.fields(t); !slices.Equal(f, []string{"reason"}) {
			t.Errorf("%s reason of 1001: fields %v", path, f)
		}
	}
	if f := o.call("editor.salatiga", "POST", postPath(id, "/cancel"), map[string]any{"reason": long(1001)}).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"reason"}) {
		t.Errorf("cancel reason of 1001: fields %v", f)
	}
	o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"campaign": long(101)}).must(t, http.StatusUnprocessableEntity)
	if after := o.auditRows(); after != before {
		t.Errorf("%d audit rows written by refused reasons and edits", after-before)
	}
	o.call("approver.salatiga", "POST", postPath(id, "/reject"), map[string]any{"version": 1, "reason": long(1000)}).must(t, http.StatusOK)

	// Unit and channel names reach the audit log too.
	if f := o.call("admin", "POST", "/units", map[string]any{"name": long(201), "slug": "kpu-x"}).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"name"}) {
		t.Errorf("unit name of 201: %v", f)
	}
	if f := o.call("admin", "PATCH", "/channels/"+itoa(o.cityFB.ID), map[string]any{"name": long(201)}).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"name"}) {
		t.Errorf("channel name of 201: %v", f)
	}
}

// TestRecurrenceLimits: a post recurs at most daily (hourly once the
// unit's admin allows it), with at most 366 occurrences; every second,
// every minute and @every 1s are refused with a message that says why.
func TestRecurrenceLimits(t *testing.T) {
	o := newOffice(t)
	rec := func(spec string, extra ...any) reply {
		x := map[string]any{"recurrence": spec}
		for i := 0; i+1 < len(extra); i += 2 {
			x[extra[i].(string)] = extra[i+1]
		}
		return o.post("Berulang", x)
	}
	for spec, says := range map[string]string{
		"* * * * * *":    "repeats every 1s",
		"@every 1s":      "repeats every 1s",
		"0 */5 * * * *":  "repeats every 5m0s",
		"0 0 * * * *":    "repeats every 1h0m0s",
		"0 0 9,10 * * *": "repeats every 1h0m0s",
	} {
		r := rec(spec).must(t, http.StatusUnprocessableEntity)
		if f := r.fields(t); !slices.Equal(f, []string{"recurrence"}) || !strings.Contains(r.Raw, says) || !strings.Contains(r.Raw, "at most once a day") ||
			!strings.Contains(r.Raw, "sekali sehari") {
			t.Errorf("%q: %s", spec, r.Raw)
		}
	}
	if r := rec("0 0 9 * * *").must(t, http.StatusCreated); r.num("recurrence_count") != 366 {
		t.Errorf("default occurrences: %s", r.Raw)
	}
	if r := rec("0 0 9 * * MON", "recurrence_count", 12).must(t, http.StatusCreated); r.num("recurrence_count") != 12 {
		t.Errorf("12 occurrences: %s", r.Raw)
	}
	for _, n := range []int{367, 100000, -1} {
		if f := rec("0 0 9 * * *", "recurrence_count", n).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{"recurrence_count"}) {
			t.Errorf("%d occurrences: %v", n, f)
		}
	}
	rec("0 0 9 30 2 *").must(t, http.StatusUnprocessableEntity) // never occurs

	// The unit's admin allows hourly: hourly passes, more often does not.
	o.call("admin", "PATCH", "/units/"+itoa(o.city.ID), map[string]any{"allow_hourly_recurrence": true}).must(t, http.StatusOK)
	rec("0 0 * * * *").must(t, http.StatusCreated)
	if r := rec("0 */5 * * * *").must(t, http.StatusUnprocessableEntity); !strings.Contains(r.Raw, "at most once an hour") {
		t.Errorf("every 5 minutes with hourly allowed: %s", r.Raw)
	}
}

// TestDatesOutsideTheWindow: a scheduled_at years away (or one that
// would be year 10000 in UTC) and list filters outside 2000-2099 are 422
// naming the field, never a 500.
func TestDatesOutsideTheWindow(t *testing.T) {
	o := newOffice(t)
	for _, at := range []string{"9999-12-31T09:00:00+07:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00Z",
		time.Now().AddDate(3, 0, 0).Format(time.RFC3339), time.Now().AddDate(-2, 0, 0).Format(time.RFC3339)} {
		for _, submit := range []bool{true, false} {
			r := o.post("Tahun jauh", map[string]any{"scheduled_at": at, "submit": submit}).must(t, http.StatusUnprocessableEntity)
			if f := r.fields(t); !slices.Contains(f, "scheduled_at") {
				t.Errorf("%s (submit %v): fields %v", at, submit, f)
			}
		}
	}
	id := o.submitted("Geser")
	o.call("editor.salatiga", "PATCH", postPath(id, ""), map[string]any{"scheduled_at": "9999-12-31T23:59:59-12:00"}).must(t, http.StatusUnprocessableEntity)
	for q, field := range map[string]string{"from=9999-12-31T23:59:59-12:00": "from", "from=0001-01-01": "from", "to=9999-12-31": "to",
		"from=2026-01-01&to=2100-01-02": "to"} {
		if f := o.call("editor.salatiga", "GET", "/posts?"+q, nil).must(t, http.StatusUnprocessableEntity).fields(t); !slices.Equal(f, []string{field}) {
			t.Errorf("%s: fields %v", q, f)
		}
	}
	o.call("editor.salatiga", "GET", "/posts?from=2026-01-01&to=2099-12-31", nil).must(t, http.StatusOK)
}

// TestLastAdminStays: the last active admin can be neither revoked nor
// given another role through the API (409 last_admin, saying what to do);
// with a second admin both work.
func TestLastAdminStays(t *testing.T) {
	o := newOffice(t)
	for _, r := range []reply{
		o.call("admin", "DELETE", "/users/admin", nil),
		o.call("admin", "PATCH", "/users/admin", map[string]any{"role": "viewer"}),
	} {
		if r.Code != http.StatusConflict || r.str("error.code") != "last_admin" || !strings.Contains(r.str("error.message"), "add another admin first") || r.str("error.message_id") == "" {
			t.Errorf("last admin: %s", r.Raw)
		}
	}
	o.call("admin", "GET", "/users", nil).must(t, http.StatusOK) // still signed in
	o.call("admin", "PATCH", "/users/kepala.jateng", map[string]any{"role": "admin"}).must(t, http.StatusOK)
	o.call("admin", "PATCH", "/users/admin", map[string]any{"role": "viewer"}).must(t, http.StatusOK)
	o.call("kepala.jateng", "DELETE", "/users/admin", nil).must(t, http.StatusNoContent)
	o.call("kepala.jateng", "DELETE", "/users/kepala.jateng", nil).must(t, http.StatusConflict)
	o.call("kepala.jateng", "PATCH", "/users/nobody", map[string]any{"role": "viewer"}).must(t, http.StatusNotFound)
	o.call("kepala.jateng", "PATCH", "/users/editor.salatiga", map[string]any{"role": "root"}).must(t, http.StatusUnprocessableEntity)
}
