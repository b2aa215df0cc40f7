package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/humas-id/humas/config"
)

func init() {
	register("health", "ask a running humas's /readyz (for container health checks); exit 0 when ready", cmdHealth)
}

// cmdHealth exists because the container image has no curl or wget.
func cmdHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("health", stderr)
	url := fs.String("url", "", "readiness URL (default http://<listen>/readyz from the config)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *url == "" {
		cfg, err := config.Load(*cfgPath, nil)
		if err != nil {
			return err
		}
		*url = "http://" + cfg.Listen + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%s\n", body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %d", *url, resp.StatusCode)
	}
	return nil
}
