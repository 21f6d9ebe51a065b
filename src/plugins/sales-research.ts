import { defineTemplatePlugin } from './template.js';

/** Sales-research requests: market sizing, competitor teardown, lead scoring and product comparisons. */
export const salesResearchPlugin = defineTemplatePlugin({
  name: 'sales_research',
  description: 'Research requests from a sales team: markets, competitors, leads and product comparisons.',
  slots: {
    market: ['mid-size logistics firms', 'European fintech startups', 'US hospitals', 'online education', 'industrial IoT', 'retail chains in Asia'],
    competitor: ['Acme Analytics', 'Globex Cloud', 'Initech CRM', 'Umbrella AI', 'Hooli Workspace'],
    company: ['Northwind Traders', 'Contoso Ltd', 'Fabrikam Inc', 'Tailspin Toys', 'Wide World Importers', 'Adventure Works'],
    product: ['our analytics suite', 'our CRM add-on', 'the enterprise plan', 'our data connector'],
    metric: ['pricing', 'market share', 'customer churn', 'feature coverage', 'support quality'],
    horizon: ['next quarter', 'the next two years', 'this fiscal year'],
  },
  categories: [
    {
      name: 'market_research',
      weight: 3,
      complexity: [0, 1, 3, 4, 2],
      priority: [3, 4, 2],
      slaBase: 30,
      slaPerComplexity: 8,
      featureMeans: [0.7, 0.5, 0.6, 0.3, 0.5, 0.6],
      templates: ['Estimate the market for {product} among {market} over {horizon}.', 'What are the buying triggers of {market} for {product}?'],
    },
    {
      name: 'competitor_analysis',
      weight: 3,
      complexity: [0, 2, 4, 3, 2],
      priority: [2, 4, 3],
      slaBase: 28,
      slaPerComplexity: 8,
      featureMeans: [0.65, 0.4, 0.7, 0.4, 0.45, 0.5],
      templates: ['Compare {competitor} with {product} on {metric}.', 'How has {competitor} changed its {metric} in {horizon}?'],
    },
    {
      name: 'lead_qualification',
      weight: 4,
      complexity: [4, 4, 2, 1, 0],
      priority: [2, 4, 4],
      slaBase: 16,
      slaPerComplexity: 6,
      featureMeans: [0.3, 0.3, 0.35, 0.65, 0.5, 0.15],
      templates: ['Is {company} a good lead for {product}? Score it 1-5.', 'Qualify {company}: budget, need and timing for {product}.'],
    },
    {
      name: 'product_comparison',
      weight: 2,
      complexity: [1, 3, 4, 2, 1],
      priority: [3, 3, 2],
      slaBase: 22,
      slaPerComplexity: 7,
      featureMeans: [0.55, 0.35, 0.55, 0.4, 0.5, 0.35],
      templates: ['Write a one-page comparison of {product} and {competitor} for {company}.', 'Where does {product} beat {competitor} on {metric}?'],
    },
  ],
});
