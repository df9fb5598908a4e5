BEGIN TRANSACTION;
CREATE TABLE "documents" (
   "id" INTEGER PRIMARY KEY,
   "url" TEXT,
   "version" INTEGER,
   "sha256" TEXT,
   "portal_id" TEXT,
   "kind" TEXT,
   "parent_url" TEXT,
   "listing_url" TEXT,
   "title" TEXT,
   "listed_date" TEXT,
   "filename" TEXT,
   "content_type" TEXT,
   "size" INTEGER,
   "first_seen" TEXT,
   "last_seen" TEXT,
   "gone_on" TEXT,
   "fetch_id" INTEGER REFERENCES "fetches"("id")
);
INSERT INTO "documents" VALUES(1,'http://x/a.html',1,'6ad3b34a247b4e29203fe1b97fafc19815f06478b855aef2012500e1999571b7','p','page',NULL,'http://x/','A 2024',NULL,NULL,NULL,6,'2025-02-01T00:00:01.000001+00:00','2025-02-01T00:00:01.000001+00:00',NULL,2);
INSERT INTO "documents" VALUES(2,'http://x/a.pdf',1,'99617949c9016f9d43a0606455bc650ebd79ec0c7ab700b08593b22a74243812','p','attachment','http://x/a.html',NULL,NULL,NULL,'a.pdf',NULL,6,'2025-02-01T00:00:02.000001+00:00','2025-02-01T00:00:02.000001+00:00',NULL,3);
CREATE TABLE "fetches" (
   "id" INTEGER PRIMARY KEY,
   "run_id" INTEGER REFERENCES "runs"("id"),
   "portal_id" TEXT,
   "kind" TEXT,
   "url" TEXT,
   "final_url" TEXT,
   "listing_url" TEXT,
   "method" TEXT,
   "title" TEXT,
   "listed_date" TEXT,
   "status" INTEGER,
   "outcome" TEXT,
   "reason" TEXT,
   "fetched_at" TEXT,
   "elapsed_ms" REAL,
   "size" INTEGER,
   "sha256" TEXT,
   "content_type" TEXT,
   "content_disposition" TEXT,
   "filename" TEXT,
   "etag" TEXT,
   "last_modified" TEXT,
   "headers" TEXT
, "parent_url" TEXT, "family" TEXT);
INSERT INTO "fetches" VALUES(1,1,'p','listing','http://x/',NULL,NULL,'GET',NULL,NULL,200,'downloaded',NULL,'2025-02-01T00:00:00.000001+00:00',NULL,4,'a330395cc0a53ad1207736546afff4735940937564bbf75ce1edad40780d9139',NULL,NULL,NULL,NULL,NULL,'{}',NULL,'trs');
INSERT INTO "fetches" VALUES(2,1,'p','page','http://x/a.html',NULL,'http://x/','GET','A 2024',NULL,200,'downloaded',NULL,'2025-02-01T00:00:01.000001+00:00',NULL,6,'6ad3b34a247b4e29203fe1b97fafc19815f06478b855aef2012500e1999571b7',NULL,NULL,NULL,NULL,NULL,'{}',NULL,'trs');
INSERT INTO "fetches" VALUES(3,1,'p','attachment','http://x/a.pdf',NULL,NULL,'GET',NULL,NULL,200,'downloaded',NULL,'2025-02-01T00:00:02.000001+00:00',NULL,6,'99617949c9016f9d43a0606455bc650ebd79ec0c7ab700b08593b22a74243812',NULL,NULL,'a.pdf',NULL,NULL,'{}','http://x/a.html','trs');
INSERT INTO "fetches" VALUES(4,1,'p','page','http://x/b.html',NULL,NULL,'GET',NULL,NULL,503,'failed','HTTP 503','2025-02-01T00:00:03.000001+00:00',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'{}',NULL,NULL);
CREATE TABLE "runs" (
   "id" INTEGER PRIMARY KEY,
   "started_at" TEXT,
   "finished_at" TEXT,
   "spider" TEXT,
   "args" TEXT,
   "status" TEXT,
   "stats" TEXT,
   "warc_file" TEXT
, "job" TEXT, "resumes" INTEGER);
INSERT INTO "runs" VALUES(1,'2026-12-07T05:15:08.896136+00:00','2026-12-07T05:15:08.908087+00:00','portal','{"registry": "portals.csv"}','finished','{"x": 1}',NULL,'job1',NULL);
CREATE INDEX "idx_fetches_url"
    ON "fetches" ("url");
CREATE INDEX "idx_fetches_run_id_outcome"
    ON "fetches" ("run_id", "outcome");
CREATE UNIQUE INDEX "idx_documents_url_version"
    ON "documents" ("url", "version");
CREATE INDEX "idx_documents_sha256"
    ON "documents" ("sha256");
CREATE INDEX "fetches_portal"
    ON "fetches" ("portal_id", "run_id");
COMMIT;
