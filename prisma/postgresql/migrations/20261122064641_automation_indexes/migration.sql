-- CreateIndex
CREATE INDEX "Award_templateId_earnerId_idx" ON "Award"("templateId", "earnerId");

-- CreateIndex
CREATE INDEX "PointsBalance_organizationId_category_earnerId_idx" ON "PointsBalance"("organizationId", "category", "earnerId");
