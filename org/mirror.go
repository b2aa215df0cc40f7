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
	if len(units) > 0 {
		b, err := ch.PrepareBatch(ctx, qMirrorUnits)
		if err != nil {
			return fmt.Errorf("mirror units: %w", err)
		}
		defer b.Abort()
		for _, u := range units {
			anc := Ancestors(units, u.ID)
			ancU := make([]uint64, len(anc))
			for i, a := range anc {
				ancU[i] = uint64(a)
			}
			if err := b.Append(uint64(u.ID), uint64(u.ParentID), u.Name, u.Timezone, ancU, version); err != nil {
				return fmt.Errorf("mirror units: %w", err)
			}
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("mirror units: %w", err)
		}
	}
	if len(channels) > 0 {
		b, err := ch.PrepareBatch(ctx, qMirrorChannels)
		if err != nil {
			return fmt.Errorf("mirror channels: %w", err)
		}
		defer b.Abort()
		for _, c := range channels {
			if err := b.Append(uint64(c.ID), c.Platform, c.ExternalID, c.Name, uint64(c.UnitID), version); err != nil {
				return fmt.Errorf("mirror channels: %w", err)
			}
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("mirror channels: %w", err)
		}
	}
	return nil
}
