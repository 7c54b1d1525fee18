// Badge templates: the designs awards are issued from, and their versions. Other modules use
// templates through this file only.
export { createTemplate, createTemplateInTransaction, setTemplateState, templateWhere, updateTemplate, type CreateTemplateInput, type TemplateFilter } from './service.js';
