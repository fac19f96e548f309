-- expect: SS002
SET lock_timeout = '3s';
CREATE INDEX "Users_Email" ON "public"."Users" ("Email");
