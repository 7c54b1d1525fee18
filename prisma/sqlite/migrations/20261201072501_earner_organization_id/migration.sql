-- CreateIndex
CREATE INDEX "Earner_organizationId_id_idx" ON "Earner"("organizationId", "id");
