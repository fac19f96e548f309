-- expect: SS003
SET lock_timeout = '3s';
ALTER TABLE orders ADD CONSTRAINT qty_pos CHECK (qty > 0);
