-- expect: SS002
SET lock_timeout = '3s';
CREATE UNIQUE INDEX IF NOT EXISTS orders_ref ON public.orders (ref);
