package meta_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/meta/graphsim"
)

const (
	testAppID   = "4242"
	testSecret  = "app-secret-for-tests"
	pageID      = "100000000000001"
	igID        = "17841400000000009"
	pageToken   = "EAAtestPageTokenSalatiga123"
	noPostToken = "EAAtestTokenWithoutManagePosts"
)

// t0 is a Tuesday 10:00 WIB.
var t0 = time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC)

type env struct {
	sim    *graphsim.Sim
	clock  *graphsim.ManualClock
	srv    *httptest.Server
	client *meta.Client
	infos  []meta.CallInfo
}

// newEnv starts a simulator behind a real HTTP server and a client for it.
func newEnv(t testing.TB, simOpt graphsim.Options, cliOpt meta.Options) *env {
	t.Helper()
	e := &env{clock: graphsim.NewManualClock(t0)}
	simOpt.Clock = e.clock.Now
	if simOpt.AppID == "" {
		simOpt.AppID, simOpt.AppSecret = testAppID, testSecret
	}
	e.sim = graphsim.New(simOpt)
	if err := e.sim.AddPage(pageID, "KPU Kota Salatiga", pageToken); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddIGAccount(igID, "kpusalatiga", pageID); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddToken(noPostToken, pageID, time.Time{}, "pages_read_engagement", "pages_show_list"); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.sim)
	t.Cleanup(e.srv.Close)
	cliOpt.BaseURL = e.srv.URL
	if cliOpt.AppID == "" {
		cliOpt.AppID, cliOpt.AppSecret = testAppID, testSecret
	}
	if cliOpt.Now == nil {
		cliOpt.Now = e.clock.Now
	}
	if cliOpt.RetryBackoff == 0 {
		cliOpt.RetryBackoff = time.Millisecond
	}
	cliOpt.OnResponse = func(ci meta.CallInfo) { e.infos = append(e.infos, ci) }
	c, err := meta.New(cliOpt)
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}
