package org

import (
	"context"
	"fmt"

	"github.com/humas-id/humas/store"
)

const (
	qMirrorUnits    = `INSERT INTO units (unit_id, parent_id, name, timezone, ancestors, version)`
	qMirrorChannels = `INSERT INTO channels (channel_id, platform, account_id, name, unit_id, version)`
)

// UnitRow is one unit in the ClickHouse units mirror; Ancestors is the
// unit and every unit above it.
type UnitRow struct {
	UnitID    uint64   `ch:"unit_id"`
	ParentID  uint64   `ch:"parent_id"`
	Name      string   `ch:"name"`
	Timezone  string   `ch:"timezone"`
	Ancestors []uint64 `ch:"ancestors"`
	Version   uint64   `ch:"version"`
}

// ChannelRow is one channel in the ClickHouse channels mirror.
type ChannelRow struct {
	ChannelID uint64 `ch:"channel_id"`
	Platform  string `ch:"platform"`
	AccountID string `ch:"account_id"`
	Name      string `ch:"name"`
	UnitID    uint64 `ch:"unit_id"`
	Version   uint64 `ch:"version"`
}

// MirrorToClickHouse writes every unit (with its ancestors: the unit and
// all units above it) and every channel (deleted ones too, so old reports
// keep their names) into the ClickHouse dimension tables. The tables are
// ReplacingMergeTree(version): the newest mirror wins.
func (s *Store) MirrorToClickHouse(ctx context.Context, ch *store.ClickHouse) error {
	units, err := s.Units(ctx)
	if err != nil {
		return err
	}
	channels, err := s.listChannels(ctx, qAllChannels)
	if err != nil {
		return err
	}
	version := uint64(s.now().UnixNano())
	urows := make([]UnitRow, 0, len(units))
	for _, u := range units {
		anc := Ancestors(units, u.ID)
		ancU := make([]uint64, len(anc))
		for i, a := range anc {
			ancU[i] = uint64(a)
		}
		urows = append(urows, UnitRow{UnitID: uint64(u.ID), ParentID: uint64(u.ParentID), Name: u.Name, Timezone: u.Timezone,
			Ancestors: ancU, Version: version})
	}
	crows := make([]ChannelRow, 0, len(channels))
	for _, c := range channels {
		crows = append(crows, ChannelRow{ChannelID: uint64(c.ID), Platform: c.Platform, AccountID: c.ExternalID, Name: c.Name,
			UnitID: uint64(c.UnitID), Version: version})
	}
	return WriteMirror(ctx, ch, urows, crows)
}

// WriteMirror writes unit and channel rows into the ClickHouse mirror
// tables (org owns them); the seed command writes its demo units this way.
func WriteMirror(ctx context.Context, ch *store.ClickHouse, units []UnitRow, channels []ChannelRow) error {
	if err := appendRows(ctx, ch, qMirrorUnits, units); err != nil {
		return fmt.Errorf("mirror units: %w", err)
	}
	if err := appendRows(ctx, ch, qMirrorChannels, channels); err != nil {
		return fmt.Errorf("mirror channels: %w", err)
	}
	return nil
}

func appendRows[T any](ctx context.Context, ch *store.ClickHouse, query string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := ch.PrepareBatch(ctx, query)
	if err != nil {
		return err
	}
	defer b.Abort()
	for i := range rows {
		if err := b.AppendStruct(&rows[i]); err != nil {
			return err
		}
	}
	return store.WrapError(b.Send())
}
