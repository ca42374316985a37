/**
 * The embedded end-to-end demo ({@code jalign demo}): the whole RLHF loop on a world small enough
 * to run on a laptop in minutes with nothing downloaded.
 *
 * <p>{@link org.jalign.demo.DemoWorld} writes a corpus of assistant replies to short requests,
 * half of them kind and on topic and half of them insults; a tiny Llama is pretrained on it, so
 * the policy says both. Simulated labelers ({@link org.jalign.demo.SimulatedLabeler}) rank its
 * completions by a written harmlessness-and-helpfulness criterion through the same feedback store
 * the web app writes, one of them careless; then the real stages run on what they produced: the
 * agreement report and consensus pairs, a reward model, PPO against it with a KL penalty to the
 * frozen base, DPO on the same pairs as the alternative, and the evaluation before vs after.
 * {@link org.jalign.demo.Demo} runs the steps in order.
 *
 * <p>Dependencies: this package orchestrates the stages (pretrain, feedback, reward, ppo, dpo,
 * eval) through their public APIs, as the CLI does; no stage depends on it.
 */
package org.jalign.demo;
