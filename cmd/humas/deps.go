package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/store"
)

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// stores holds both databases.
type stores struct {
	ch  *store.ClickHouse
	sql *store.SQLite
}

func openStores(ctx context.Context, cfg config.Config, log *slog.Logger) (*stores, error) {
	sq, err := store.OpenState(ctx, cfg.State, log)
	if err != nil {
		return nil, err
	}
	ch, err := store.OpenClickHouse(ctx, cfg.ClickHouse, log)
	if err != nil {
		sq.Close()
		return nil, fmt.Errorf("%w (start one with scripts/clickhouse.sh start, or docker compose up -d clickhouse)", err)
	}
	if v, err := ch.ServerVersion(); err == nil {
		log.Info("clickhouse connected", "addr", cfg.ClickHouse.Addr, "cluster", cfg.ClickHouse.Cluster, "database", cfg.ClickHouse.Database,
			"server_version", v)
	}
	return &stores{ch: ch, sql: sq}, nil
}

func (s *stores) migrate(ctx context.Context) (ch, sq []store.Migration, err error) {
	if sq, err = s.sql.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	if ch, err = s.ch.Migrate(ctx); err != nil {
		return nil, sq, err
	}
	return ch, sq, nil
}

func (s *stores) Close() error {
	return errors.Join(s.ch.Close(), s.sql.Close())
}
