package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/store/storetest"
)

// office is a province with two city offices under it, a Facebook Page
// in each, and users of each role where the tests need them: the calendar
// API over a real SQLite file, as humas serve mounts it.
type office struct {
	t                       testing.TB
	db                      *store.SQLite
	orgs                    *org.Store
	users                   *auth.Store
	sched                   *scheduler.Service
	srv                     *api.Server
	province, city, other   org.Unit
	provFB, cityFB, otherFB org.Channel
	tok                     map[string]string // user name → token
	ids                     map[string]int64  // user name → id
	engine                  *gin.Engine
}

// office users: name → (unit key, role).
var officeUsers = []struct {
	name, unit string
	role       auth.Role
}{
	{"admin", "province", auth.RoleAdmin},
	{"kepala.jateng", "province", auth.RoleViewer},
	{"ppid.jateng", "province", auth.RolePPID},
	{"editor.salatiga", "city", auth.RoleEditor},
	{"approver.salatiga", "city", auth.RoleApprover},
	{"approver2.salatiga", "city", auth.RoleApprover},
	{"editor.magelang", "other", auth.RoleEditor},
	{"ppid.magelang", "other", auth.RolePPID},
}

func newOffice(t testing.TB) *office {
	t.Helper()
	ctx := context.Background()
	o := &office{t: t, db: storetest.SQLite(t), tok: map[string]string{}, ids: map[string]int64{}}
	o.orgs = org.NewStore(o.db, bytes.Repeat([]byte{7}, 32))
	o.users = auth.NewStore(o.db)
	var err error
	mk := func(u org.Unit) org.Unit {
		u.Timezone, u.RequiresApproval = "Asia/Jakarta", true
		out, err := o.orgs.CreateUnit(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	o.province = mk(org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province"})
	o.city = mk(org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", Level: "city", ParentID: o.province.ID})
	o.other = mk(org.Unit{Name: "KPU Kota Magelang", Slug: "kpu-magelang", Level: "city", ParentID: o.province.ID})
	ch := func(u org.Unit, ext string) org.Channel {
		c, err := o.orgs.CreateChannel(ctx, org.ChannelInput{UnitID: u.ID, Platform: org.Facebook, ExternalID: ext, Name: u.Name, AccessToken: "tok-" + ext})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	o.provFB, o.cityFB, o.otherFB = ch(o.province, "100"), ch(o.city, "200"), ch(o.other, "300")
	units := map[string]org.Unit{"province": o.province, "city": o.city, "other": o.other}
	for _, u := range officeUsers {
		user, tok, err := o.users.CreateUser(ctx, u.name, units[u.unit].ID, u.role)
		if err != nil {
			t.Fatal(err)
		}
		o.tok[u.name], o.ids[u.name] = tok, user.ID
	}
	o.sched = scheduler.NewService(o.db, o.orgs, scheduler.ServiceOptions{Logger: slog.New(slog.DiscardHandler)})
	if o.srv, err = api.New(api.Options{Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()}); err != nil {
		t.Fatal(err)
	}
	o.engine = o.srv.Engine()
	api.MountScheduler(o.authed(), api.SchedulerDeps{Org: o.orgs, Auth: o.users, Calendar: o.sched})
	return o
}

func (o *office) authed() *gin.RouterGroup { return o.srv.V1().Group("", api.RequireAuth(o.users)) }

// reply is an API answer.
type reply struct {
	Code int
	Body map[string]any
	Raw  string
}

// call sends body (nil: none) as user to /api/v1+path.
func (o *office) call(user, method, path string, body any) reply {
	o.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			o.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, "/api/v1"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+o.tok[user])
	w := httptest.NewRecorder()
	o.engine.ServeHTTP(w, req)
	r := reply{Code: w.Code, Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &r.Body)
	return r
}

// must fails unless the answer has status want.
func (r reply) must(t testing.TB, want int) reply {
	t.Helper()
	if r.Code != want {
		t.Fatalf("status %d, want %d: %s", r.Code, want, r.Raw)
	}
	return r
}

// num reads a number at a dotted path of the body ("error.details.current_version").
func (r reply) num(path string) float64 {
	v, _ := r.at(path).(float64)
	return v
}

func (r reply) str(path string) string {
	v, _ := r.at(path).(string)
	return v
}

func (r reply) at(path string) any {
	var cur any = r.Body
	for _, k := range strings.Split(path, ".") {
		if l, ok := cur.([]any); ok { // a list index
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(l) {
				return nil
			}
			cur = l[i]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// fields lists the field names of a 422 answer, with both languages
// checked present.
func (r reply) fields(t *testing.T) []string {
	t.Helper()
	list, _ := r.at("error.fields").([]any)
	var out []string
	for _, f := range list {
		m := f.(map[string]any)
		if m["message"] == "" || m["message_id"] == "" || m["message"] == m["message_id"] {
			t.Errorf("field %v: want English and Bahasa Indonesia messages: %v", m["field"], m)
		}
		out = append(out, m["field"].(string))
	}
	return out
}

// post is a public text post for the city's Page, submitted, as the
// city's editor; extra fields override the defaults.
func (o *office) post(caption string, extra map[string]any) reply {
	o.t.Helper()
	body := map[string]any{"caption": caption, "content_type": "text",
		"classification": map[string]any{"level": "public", "category": "berkala"},
		"channels":       []int64{o.cityFB.ID}, "scheduled_at": time.Now().Add(72 * time.Hour).Format(time.RFC3339), "submit": true}
	for k, v := range extra {
		body[k] = v
	}
	return o.call("editor.salatiga", "POST", "/posts", body)
}

func (o *office) submitted(caption string) int64 {
	o.t.Helper()
	r := o.post(caption, nil).must(o.t, http.StatusCreated)
	if r.str("state") != scheduler.StateSubmitted {
		o.t.Fatalf("post not submitted: %s", r.Raw)
	}
	return int64(r.num("id"))
}

func postPath(id int64, rest string) string { return fmt.Sprintf("/posts/%d%s", id, rest) }

// auditRows counts the audit log.
func (o *office) auditRows() int {
	o.t.Helper()
	var n int
	if err := o.db.DB.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		o.t.Fatal(err)
	}
	return n
}

func itoa(id int64) string { return fmt.Sprint(id) }
