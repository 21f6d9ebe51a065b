import { defineTemplatePlugin } from './template.js';

/** Customer-support tickets: quick product questions up to multi-step troubleshooting and refund disputes. */
export const customerSupportPlugin = defineTemplatePlugin({
  name: 'customer_support',
  description: 'Support tickets for a software product: questions, troubleshooting, refunds, feature requests.',
  slots: {
    product: ['the mobile app', 'the desktop client', 'the billing dashboard', 'the API', 'the browser extension', 'the sync service'],
    feature: ['dark mode', 'offline editing', 'two-factor login', 'CSV export', 'team folders', 'webhooks', 'single sign-on'],
    symptom: ['crashing on start', 'logging me out', 'showing a blank page', 'running very slowly', 'losing my changes', 'failing to sync'],
    event: ['the last update', 'changing my password', 'switching devices', 'upgrading my plan', 'a power cut'],
    plan: ['Basic', 'Pro', 'Team', 'Enterprise'],
    reason: ['I was charged twice', 'the feature I needed never worked', 'I cancelled last week', 'the trial converted without notice'],
    os: ['Windows 11', 'macOS', 'Android', 'iOS', 'Ubuntu'],
  },
  categories: [
    {
      name: 'product_question',
      weight: 4,
      complexity: [5, 4, 2, 1, 0],
      priority: [5, 3, 1],
      slaBase: 18,
      slaPerComplexity: 6,
      featureMeans: [0.25, 0.3, 0.3, 0.4, 0.55, 0.2],
      templates: ['Does the {plan} plan include {feature}?', 'How do I turn on {feature} in {product}?', 'Is {feature} available on {os}?'],
    },
    {
      name: 'troubleshooting',
      weight: 3,
      complexity: [1, 2, 4, 3, 2],
      priority: [2, 4, 3],
      slaBase: 22,
      slaPerComplexity: 7,
      featureMeans: [0.6, 0.55, 0.65, 0.6, 0.3, 0.35],
      templates: [
        '{product} keeps {symptom} since {event}. I am on {os}. What can I do?',
        'After {event}, {product} started {symptom}. Please help, this blocks my team.',
      ],
    },
    {
      name: 'refund_request',
      weight: 2,
      complexity: [2, 4, 3, 1, 0],
      priority: [1, 3, 4],
      slaBase: 16,
      slaPerComplexity: 6,
      featureMeans: [0.4, 0.35, 0.25, 0.7, 0.15, 0.1],
      templates: ['I want a refund for my {plan} subscription: {reason}.', 'Please refund me, {reason}. My plan is {plan}.'],
    },
    {
      name: 'feature_inquiry',
      weight: 2,
      complexity: [2, 3, 3, 2, 1],
      priority: [5, 3, 1],
      slaBase: 24,
      slaPerComplexity: 7,
      featureMeans: [0.45, 0.6, 0.4, 0.25, 0.6, 0.7],
      templates: ['Are you planning to add {feature} to {product}? We would use it for our {plan} team.', 'Could {product} support {feature} the way competitors do?'],
    },
  ],
});
