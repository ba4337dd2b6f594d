/**
 * Every page's styles in one sheet, served at `/static/style.css`: the layout's and those of the pages with their
 * own (each scoped by its page's class). A sheet from this origin is what `style-src 'self'` allows; an inline
 * <style> would need the policy loosened, and one arriving with a live refresh would be refused.
 */
import { backloadCss } from "./backload.tsx";
import { graphCss } from "./graph.tsx";
import { layoutCss } from "./layout.tsx";
import { workflowsCss } from "./workflows.tsx";

export const stylesheet = [layoutCss, graphCss, workflowsCss, backloadCss].join("");
