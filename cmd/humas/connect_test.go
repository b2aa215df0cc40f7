package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 14 item 9: the assembled server asks Meta (debug_token) about a
// pasted token before it stores it: a made-up token is refused with a
// message naming the field, on connect and on token replacement, and the
// channel keeps its working token.
func TestConnectRefusesMadeUpToken(t *testing.T) {
	s := startServe(t)
	s.waitReady(t, 90*time.Second)
	users, err := os.ReadFile(filepath.Join(s.dir, "var", "sandbox-users.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var admin string
	for _, line := range strings.Split(string(users), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "admin" {
			admin = f[len(f)-1]
		}
	}
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	_, units := call("GET", "/api/v1/units", nil)
	list, _ := units["units"].([]any)
	if len(list) == 0 {
		t.Fatalf("no units: %v", units)
	}
	unit := fmt.Sprint(list[0].(map[string]any)["id"])

	status, body := call("POST", "/api/v1/channels", map[string]any{"platform": "facebook", "external_id": "104857600000099",
		"name": "Page karangan", "unit": unit, "access_token": "EAAmadeUpTokenNobodyIssued"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "access_token") {
		t.Fatalf("connect with a made-up token: %d %v, want 422 naming access_token", status, body)
	}
	status, body = call("PATCH", "/api/v1/channels/1", map[string]any{"access_token": "EAAmadeUpTokenNobodyIssued"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "access_token") {
		t.Fatalf("replace a channel's token with a made-up one: %d %v, want 422 naming access_token", status, body)
	}
}
